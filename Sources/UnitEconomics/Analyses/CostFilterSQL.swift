/// Compiles cost report filters to an SQL condition over `cost_daily c`. Column names come from a fixed
/// table; every value and tag key is a `$n` parameter, never spliced into the SQL.
///
/// The `cost_row_matches` SQL function (used by the BI views) implements the same rules.
enum CostFilterSQL {
    static func column(_ field: CostReportFilter.Field) -> String {
        switch field {
        case .provider: "c.provider"
        case .service: "c.service_name"
        case .serviceCategory: "c.service_category"
        case .chargeCategory: "c.charge_category"
        case .account: "c.sub_account_id"
        case .billingAccount: "c.billing_account_id"
        case .region: "c.region_id"
        case .currency: "c.currency"
        case .tag: "c.tags"
        }
    }

    /// The condition and its binds; parameters are numbered from `firstParameter`.
    static func condition(_ filters: [CostReportFilter], firstParameter: Int) -> (sql: String, binds: [String]) {
        var parts: [String] = []
        var binds: [String] = []
        func parameter(_ value: String) -> String {
            binds.append(value)
            return "$\(firstParameter + binds.count - 1)"
        }
        for filter in filters {
            let test: String
            if filter.field == .tag {
                let key = parameter(filter.key ?? "")
                test =
                    filter.values.isEmpty
                    ? "jsonb_exists(c.tags, \(key)::text)"
                    : "(c.tags ->> \(key)::text) = ANY(\(parameter(arrayLiteral(filter.values)))::text[])"
            } else {
                test = "\(column(filter.field)) = ANY(\(parameter(arrayLiteral(filter.values)))::text[])"
            }
            parts.append(filter.exclude ? "NOT coalesce(\(test), false)" : "coalesce(\(test), false)")
        }
        return (parts.isEmpty ? "true" : parts.joined(separator: " AND "), binds)
    }

    private static func arrayLiteral(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
