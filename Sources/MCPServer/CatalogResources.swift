import Foundation
import MCP
import Postgres

/// Resources a client can read to discover what exists: the metric catalog (live) and the SQL views
/// for BI tools (what each one holds, with its columns read from the database's own catalog).
enum CatalogResources {
    static let metricsURI = "meterbridge://catalog/metrics"
    static let viewsURI = "meterbridge://docs/bi-views"

    static let all: [Resource] = [
        Resource(
            name: "metric-catalog", uri: metricsURI, title: "Business metric catalog",
            description:
                "Every business metric with its kind, source, aggregation, currency, status and complete-through day (JSON).",
            mimeType: "application/json"),
        Resource(
            name: "bi-views", uri: viewsURI, title: "SQL views for BI tools",
            description:
                "The Postgres views that compute the same numbers as the reports, for Metabase, Grafana or SQL (Markdown).",
            mimeType: "text/markdown"),
    ]

    static func read(_ uri: String, context: ToolContext) async throws -> [Resource.Content] {
        switch uri {
        case metricsURI:
            let metrics = try await CatalogTools.metricCatalog(context)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let text = String(decoding: try encoder.encode(Value.object(["metrics": .array(metrics)])), as: UTF8.self)
            return [.text(text, uri: uri, mimeType: "application/json")]
        case viewsURI:
            return [.text(try await viewsDocument(context), uri: uri, mimeType: "text/markdown")]
        default:
            throw MCPError.invalidParams("unknown resource \(uri); resources/list shows the two there are")
        }
    }

    /// What each view is for; the columns come from the database so the document matches its schema.
    static let views: [(name: String, rowPer: String, purpose: String)] = [
        (
            "metric_values_labeled", "metric, day, customer",
            "Imported daily values with the customer's label (metric_title, day, customer_id, label, amount)."
        ),
        (
            "customer_labels", "connection, customer, label source",
            "The label each customer shows under each label source; colliding labels get an id suffix."
        ),
        (
            "cost_report_rows", "cost report × cost row",
            "Every cost row a saved cost report selects, with its customer-tag value (NULL: shared cost)."
        ),
        (
            "cost_report_daily", "cost report, day, currency, customer-tag value",
            "Each cost report's cost per day; a NULL tag value is shared cost."
        ),
        (
            "customer_tag_matches", "connection, tag value",
            "How a customer-tag value names a customer (id, then alias, then name); customer_id is NULL when ambiguous."
        ),
        (
            "daily_cost_by_customer", "cost report, usage metric, day, currency, customer",
            "The allocation of allocate_shared_cost: direct cost plus a usage share of shared cost; bucket says customer, unallocated or unmatched_tag."
        ),
        (
            "unit_cost_daily", "cost report, usage metric, day, customer",
            "COGS next to units; cost_per_unit is NULL without units. Over a period use Σ cogs / Σ units."
        ),
        (
            "customer_margin_daily", "cost report, revenue metric, day, customer",
            "Revenue next to customer-tagged cost. Margin over a period is (Σ revenue − Σ direct_cost) / Σ revenue; compare the currency columns."
        ),
    ]

    static func viewsDocument(_ context: ToolContext) async throws -> String {
        let rows = try await context.readPool.query(
            """
            SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ANY($1::text[])
            ORDER BY table_name, ordinal_position
            """, [views.map(\.name)])
        var columns: [String: [String]] = [:]
        for row in rows {
            columns[try row.decode(String.self, at: 0), default: []].append(
                "`\(try row.decode(String.self, at: 1))` \(try row.decode(String.self, at: 2))")
        }
        var lines = [
            "# SQL views for BI tools",
            "",
            "These views compute what the reports compute, so a dashboard and `meterbridge report` agree.",
            "Amounts are exact `numeric`; sum over a period first, then divide (Σ cost / Σ units, never a mean of daily ratios).",
            "",
        ]
        for view in views {
            lines.append("## \(view.name)")
            lines.append("")
            lines.append("One row per \(view.rowPer). \(view.purpose)")
            lines.append("")
            lines.append(
                "Columns: "
                    + (columns[view.name]?.joined(separator: ", ")
                        ?? "(not in this database: run `meterbridge migrate`)"))
            lines.append("")
        }
        lines.append(
            """
            Example: cost per thousand requests by customer for March.

            ```sql
            SELECT customer_id, sum(cogs) / nullif(sum(units) / 1000, 0) AS cost_per_1000
            FROM unit_cost_daily
            WHERE cost_report = 'COGS' AND metric = 'API requests' AND day BETWEEN '2025-03-01' AND '2025-03-31'
            GROUP BY customer_id ORDER BY 2 DESC NULLS LAST;
            ```
            """)
        return lines.joined(separator: "\n")
    }
}
