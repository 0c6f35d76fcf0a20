/// Response bodies shaped like Metronome's published examples, plus the variations integrators
/// have seen. Written here, not read from anywhere: ids and values are this project's own.
enum Fixtures {
    static let customersList = #"""
        {
          "data": [
            {
              "id": "0a1b2c3d-0000-4000-8000-000000000001",
              "external_id": "ops@example.net",
              "created_at": "2024-03-01T00:00:00.000Z",
              "updated_at": "2024-03-02T10:15:00.000Z",
              "ingest_aliases": ["ops@example.net", "acct-001"],
              "name": "Example Networks, Ltd.",
              "customer_config": {"salesforce_account_id": "0015500001AAAAAAA1"},
              "custom_fields": {"x_account_id": "Q1w2E3r4"}
            },
            {
              "id": "0a1b2c3d-0000-4000-8000-000000000002",
              "external_id": "0a1b2c3d-0000-4000-8000-000000000002",
              "created_at": "2024-03-01T00:00:00+00:00",
              "ingest_aliases": [],
              "name": "Ünïcödé 株式会社",
              "customer_config": {"salesforce_account_id": null},
              "custom_fields": {},
              "archived_at": "2024-06-30T12:00:00Z",
              "current_billable_status": {"value": "unbillable", "effective_at": null},
              "some_future_field": {"nested": [1, 2, 3]}
            }
          ],
          "next_page": null
        }
        """#

    static let customerGet = #"""
        {
          "data": {
            "id": "0a1b2c3d-0000-4000-8000-000000000001",
            "created_at": "2024-03-01T00:00:00.000Z",
            "updated_at": "2024-03-01T00:00:00.000Z",
            "external_id": "ops@example.net",
            "ingest_aliases": ["ops@example.net"],
            "name": "Example Networks, Ltd.",
            "customer_config": {"salesforce_account_id": "0015500001AAAAAAA1"},
            "custom_fields": {"x_account_id": "Q1w2E3r4"}
          }
        }
        """#

    static let billableMetricsList = #"""
        {
          "data": [
            {
              "name": "egress (GB)",
              "id": "1b2c3d4e-0000-4000-8000-000000000010",
              "aggregation_type": "sum",
              "aggregation_key": "bytes",
              "event_type_filter": {"in_values": ["egress"]},
              "property_filters": [
                {"name": "bytes", "exists": true},
                {"name": "region", "exists": true, "in_values": ["EU", "NA"]}
              ],
              "group_keys": [["region"], ["region", "zone"]],
              "custom_fields": {"team": "network"}
            },
            {
              "name": "seats",
              "id": "1b2c3d4e-0000-4000-8000-000000000011",
              "aggregate": "max",
              "aggregate_keys": ["seats"],
              "group_by": [],
              "archived_at": "2024-05-01T00:00:00.000Z"
            },
            {"name": "requests", "id": "1b2c3d4e-0000-4000-8000-000000000012", "aggregation_type": "Count"}
          ],
          "next_page": "cursor-2"
        }
        """#

    static let creditTypesList = #"""
        {
          "data": [
            {"id": "2714e483-4ff1-48e4-9e25-ac732e8f24f2", "name": "USD (cents)", "is_currency": true},
            {"id": "2c3d4e5f-0000-4000-8000-000000000020", "name": "EUR", "is_currency": true},
            {"id": "2c3d4e5f-0000-4000-8000-000000000021", "name": "compute credits", "is_currency": false}
          ],
          "next_page": null
        }
        """#

    static let usagePage = #"""
        {
          "data": [
            {
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "billable_metric_id": "1b2c3d4e-0000-4000-8000-000000000010",
              "billable_metric_name": "egress (GB)",
              "start_timestamp": "2024-01-01T00:00:00Z",
              "end_timestamp": "2024-01-02T00:00:00Z",
              "value": 4321
            },
            {
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "billable_metric_id": "1b2c3d4e-0000-4000-8000-000000000010",
              "billable_metric_name": "egress (GB)",
              "start_timestamp": "2024-01-02T00:00:00.000Z",
              "end_timestamp": "2024-01-03T00:00:00+00:00",
              "value": null
            },
            {
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "billable_metric_id": "1b2c3d4e-0000-4000-8000-000000000010",
              "billable_metric_name": "egress (GB)",
              "start_timestamp": "2024-01-03T01:00:00+01:00",
              "end_timestamp": "2024-01-04T00:00:00.000000Z",
              "value": 0
            },
            {
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "billable_metric_id": "1b2c3d4e-0000-4000-8000-000000000010",
              "billable_metric_name": "egress (GB)",
              "start_timestamp": "2024-01-04T00:00:00Z",
              "end_timestamp": "2024-01-05T00:00:00Z",
              "value": 0.30000000000000004
            },
            {
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "billable_metric_id": "1b2c3d4e-0000-4000-8000-000000000010",
              "billable_metric_name": "egress (GB)",
              "start_timestamp": "2024-01-05T00:00:00Z",
              "end_timestamp": "2024-01-06T00:00:00Z",
              "value": -12.75
            },
            {
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "billable_metric_id": "1b2c3d4e-0000-4000-8000-000000000010",
              "billable_metric_name": "egress (GB)",
              "start_timestamp": "2024-01-06T00:00:00Z",
              "end_timestamp": "2024-01-07T00:00:00Z",
              "value": 123456789012345678901234.5678
            },
            {
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "billable_metric_id": "1b2c3d4e-0000-4000-8000-000000000010",
              "start_timestamp": "2024-01-07T00:00:00Z",
              "end_timestamp": "2024-01-08T00:00:00Z"
            }
          ],
          "next_page": "bmV4dA=="
        }
        """#

    static let usageGroupedPage = #"""
        {
          "data": [
            {
              "billable_metric_id": "1b2c3d4e-0000-4000-8000-000000000010",
              "billable_metric_name": "egress (GB)",
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "end_timestamp": "2019-12-27T18:11:19.117Z",
              "start_timestamp": "2019-12-27T18:11:19.117Z",
              "value": 0,
              "groups": {"EU": 0, "NA": 2.5, "APAC": null}
            }
          ],
          "next_page": ""
        }
        """#

    static let breakdownsPage = #"""
        {
          "data": [
            {
              "id": "3d4e5f60-0000-4000-8000-000000000030",
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "type": "USAGE",
              "start_timestamp": "2024-01-01T00:00:00Z",
              "end_timestamp": "2024-02-01T00:00:00Z",
              "breakdown_start_timestamp": "2024-01-01T00:00:00Z",
              "breakdown_end_timestamp": "2024-01-02T00:00:00Z",
              "credit_type": {"id": "2714e483-4ff1-48e4-9e25-ac732e8f24f2", "name": "USD (cents)"},
              "contract_id": "4e5f6071-0000-4000-8000-000000000040",
              "line_items": [
                {
                  "credit_type": {"id": "2714e483-4ff1-48e4-9e25-ac732e8f24f2", "name": "USD (cents)"},
                  "name": "egress (GB)",
                  "type": "usage",
                  "quantity": 1488,
                  "total": 14392.5,
                  "product_id": "5f607182-0000-4000-8000-000000000050"
                }
              ],
              "status": "DRAFT",
              "subtotal": 14392.5,
              "total": 14392.5,
              "external_invoice": null
            },
            {
              "id": "3d4e5f60-0000-4000-8000-000000000030",
              "customer_id": "0a1b2c3d-0000-4000-8000-000000000001",
              "type": "usage",
              "start_timestamp": "2024-01-01T00:00:00.000Z",
              "end_timestamp": "2024-02-01T00:00:00+00:00",
              "breakdown_start_timestamp": "2024-01-02T00:00:00.000Z",
              "breakdown_end_timestamp": "2024-01-03T00:00:00+00:00",
              "credit_type": {"id": "2714e483-4ff1-48e4-9e25-ac732e8f24f2", "name": "USD (cents)"},
              "line_items": [
                {
                  "credit_type": {"id": "2714e483-4ff1-48e4-9e25-ac732e8f24f2", "name": "USD (cents)"},
                  "name": "egress (GB)",
                  "type": "usage",
                  "quantity": 3700,
                  "unit_price": 1,
                  "total": 3700
                },
                {
                  "credit_type": {"id": "2714e483-4ff1-48e4-9e25-ac732e8f24f2", "name": "USD (cents)"},
                  "name": "Prepaid commit",
                  "type": "applied_commit_or_credit",
                  "total": -3700,
                  "applied_commit_or_credit": {"id": "6071829a-0000-4000-8000-000000000060", "type": "prepaid"}
                }
              ],
              "status": "finalized",
              "total": 0
            }
          ],
          "next_page": null
        }
        """#

    static let errorBody = #"{"message": "Descriptive error text"}"#
}
