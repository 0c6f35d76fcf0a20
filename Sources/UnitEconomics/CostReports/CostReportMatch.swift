public import Foundation
import Postgres
import TextOutput

/// How much of the imported cost a cost report's conditions match, each alone and all together, and
/// for every value that matches nothing the values that exist and look like it. Values match exactly,
/// so `service-category=compute` (the data says `Compute`) would otherwise be a silent zero COGS and a
/// 100 % margin for every customer.
public struct CostReportMatch: Sendable, Equatable {
    /// What the rows of one condition (or of the whole report) add up to.
    public struct Amount: Sendable, Equatable {
        /// Daily cost rows (`cost_daily`).
        public var rows: Int
        /// Effective cost by currency.
        public var cost: [String: Decimal]

        public static let none = Amount(rows: 0, cost: [:])
    }

    /// A value of a condition that matches no row, and the existing values closest to it with their rows.
    public struct Miss: Sendable, Equatable {
        public var value: String
        public var nearMisses: [(value: String, rows: Int)]

        public static func == (lhs: Miss, rhs: Miss) -> Bool {
            lhs.value == rhs.value && lhs.nearMisses.map(\.value) == rhs.nearMisses.map(\.value)
                && lhs.nearMisses.map(\.rows) == rhs.nearMisses.map(\.rows)
        }
    }

    public struct Condition: Sendable, Equatable {
        public var filter: CostReportFilter
        /// The rows this condition alone selects (for an exclude: the rows it removes).
        public var matched: Amount
        public var misses: [Miss]
    }

    public var conditions: [Condition]
    /// The rows every condition together selects: the report's cost.
    public var report: Amount
    /// Every imported cost row.
    public var all: Amount

    /// Sentences for the reader: a report or condition that matches nothing, with the near misses.
    public var warnings: [String] {
        var warnings: [String] = []
        for condition in conditions {
            for miss in condition.misses {
                let name = condition.filter.field == .tag ? "tag:\(condition.filter.key ?? "")" : condition.filter.field.rawValue
                var sentence = "\(name)=\(miss.value) matches 0 of \(Self.count(all.rows)) cost rows"
                if !miss.nearMisses.isEmpty {
                    sentence += "; " + miss.nearMisses.map { "\($0.value) matches \(Self.count($0.rows))" }.joined(separator: ", ")
                }
                warnings.append(sentence + (condition.filter.exclude ? " (so this --exclude removes nothing)." : "."))
            }
            if condition.misses.isEmpty, condition.matched.rows == 0, all.rows > 0 {
                warnings.append("\(condition.filter) matches 0 of \(Self.count(all.rows)) cost rows.")
            }
        }
        if all.rows == 0 {
            warnings.append("No cost is imported yet: import a FOCUS file with `meterbridge costs import`.")
        } else if report.rows == 0 {
            warnings.append("Together the conditions match 0 of \(Self.count(all.rows)) cost rows: every report on it shows no cost.")
        }
        return warnings
    }

    static func count(_ value: Int) -> String { value.formatted(.number.grouping(.automatic)) }
}

extension CostReportStore {
    /// What `filters` match in the imported cost (see ``CostReportMatch``).
    public func match(_ filters: [CostReportFilter]) async throws -> CostReportMatch {
        let all = try await amount(where: [])
        var conditions: [CostReportMatch.Condition] = []
        for filter in filters {
            var alone = filter
            alone.exclude = false
            let matched = try await amount(where: [alone])
            var misses: [CostReportMatch.Miss] = []
            if filter.field == .tag, filter.values.isEmpty {
                if matched.rows == 0, let key = filter.key {
                    misses.append(.init(value: key, nearMisses: nearest(key, among: try await tagKeys())))
                }
            } else {
                for value in filter.values {
                    var one = alone
                    one.values = [value]
                    if try await amount(where: [one]).rows == 0 {
                        misses.append(.init(value: value, nearMisses: nearest(value, among: try await values(of: filter))))
                    }
                }
            }
            conditions.append(.init(filter: filter, matched: matched, misses: misses))
        }
        return CostReportMatch(conditions: conditions, report: try await amount(where: filters), all: all)
    }

    private func amount(where filters: [CostReportFilter]) async throws -> CostReportMatch.Amount {
        let condition = CostFilterSQL.condition(filters, firstParameter: 1)
        var amount = CostReportMatch.Amount.none
        for row in try await pool.query(
            "SELECT currency, count(*), sum(effective_cost)::text FROM cost_daily c WHERE \(condition.sql) GROUP BY currency",
            condition.binds)
        {
            amount.rows += try row.decode(Int.self, at: 1)
            amount.cost[try row.decode(String.self, at: 0)] = DecimalMath.parse(try row.decode(String.self, at: 2)) ?? 0
        }
        return amount
    }

    /// The distinct values of the condition's field (or tag) in the imported cost, with their rows.
    private func values(of filter: CostReportFilter) async throws -> [String: Int] {
        let rows =
            filter.field == .tag
            ? try await pool.query(
                "SELECT c.tags ->> $1::text, count(*) FROM cost_daily c WHERE jsonb_exists(c.tags, $1::text) GROUP BY 1", [filter.key ?? ""])
            : try await pool.query(
                "SELECT \(CostFilterSQL.column(filter.field)), count(*) FROM cost_daily c WHERE \(CostFilterSQL.column(filter.field)) IS NOT NULL GROUP BY 1")
        var values: [String: Int] = [:]
        for row in rows { if let value = try row.decode(String?.self, at: 0) { values[value] = try row.decode(Int.self, at: 1) } }
        return values
    }

    private func tagKeys() async throws -> [String: Int] {
        var keys: [String: Int] = [:]
        for row in try await pool.query("SELECT k, count(*) FROM cost_daily c, jsonb_object_keys(c.tags) k GROUP BY k") {
            keys[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return keys
    }

    private func nearest(_ wanted: String, among existing: [String: Int]) -> [(value: String, rows: Int)] {
        NearestNames.to(wanted, among: Array(existing.keys)).map { ($0, existing[$0] ?? 0) }
    }
}
