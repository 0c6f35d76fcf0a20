#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One window of one (customer, billable metric) pair from `POST /v1/usage`.
public struct UsageAggregate: Decodable, Hashable, Sendable {
    public let customerID: String
    public let billableMetricID: String
    public let billableMetricName: String?
    public let startTimestamp: Date
    public let endTimestamp: Date
    /// Exact. `nil` means no events matched, which is not the same as `0`.
    public let value: Decimal?
    /// Only when `group_by` was requested: group value → value (`nil` = no events).
    public let groups: [String: Decimal?]?

    public init(
        customerID: String,
        billableMetricID: String,
        billableMetricName: String?,
        startTimestamp: Date,
        endTimestamp: Date,
        value: Decimal?,
        groups: [String: Decimal?]? = nil
    ) {
        self.customerID = customerID
        self.billableMetricID = billableMetricID
        self.billableMetricName = billableMetricName
        self.startTimestamp = startTimestamp
        self.endTimestamp = endTimestamp
        self.value = value
        self.groups = groups
    }

    /// The UTC day the window starts on.
    public var day: UTCDay { UTCDay(containing: startTimestamp) }

    enum CodingKeys: String, CodingKey {
        case value, groups
        case customerID = "customer_id"
        case billableMetricID = "billable_metric_id"
        case billableMetricName = "billable_metric_name"
        case startTimestamp = "start_timestamp"
        case endTimestamp = "end_timestamp"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.customerID = try container.decode(String.self, forKey: .customerID)
        self.billableMetricID = try container.decode(String.self, forKey: .billableMetricID)
        self.billableMetricName = try container.decodeIfPresent(String.self, forKey: .billableMetricName)
        self.startTimestamp = try container.decode(Date.self, forKey: .startTimestamp)
        self.endTimestamp = try container.decode(Date.self, forKey: .endTimestamp)
        // Required-but-nullable on the wire; a missing key reads as null.
        self.value = try container.decodeDecimalIfPresent(forKey: .value)
        if container.contains(.groups), try !container.decodeNil(forKey: .groups) {
            let nested = try container.nestedContainer(keyedBy: AnyKey.self, forKey: .groups)
            var groups: [String: Decimal?] = [:]
            for key in nested.allKeys {
                groups[key.stringValue] = .some(try nested.decodeDecimalIfPresent(forKey: key))
            }
            self.groups = groups
        } else {
            self.groups = nil
        }
    }
}
