public import Foundation
import Importer
public import Metronome
import TextOutput
public import Postgres

/// The cost of a cost report over a period, ready for allocation.
public struct ReportCost: Sendable, Equatable {
    /// The one currency of the cost (nil when there is no cost in the period).
    public var currency: String?
    public var byDay: [UTCDay: CostAllocator.DayCost]
    /// Cost whose customer tag names no customer, or several: shown on its own rows, never guessed.
    public var unmatched: [UnmatchedTag]
    public var total: Decimal

    public struct UnmatchedTag: Sendable, Equatable {
        public var value: String
        /// 0: no customer has this id, alias or name; more than 1: ambiguous.
        public var candidates: Int
        public var amount: Decimal
        public var label: String {
            candidates == 0
                ? "(unmatched customer tag \"\(value)\")"
                : "(ambiguous customer tag \"\(value)\": \(candidates) customers)"
        }
    }

    public var shared: Decimal { byDay.values.reduce(Decimal.zero) { $0 + $1.shared } }
}

/// Reads what the analyses need: business metrics and their values, labels, coverage, and the cost of
/// a cost report. Arithmetic happens in Swift on exact decimals; SQL only selects and sums.
public struct ReportDataSource: Sendable {
    let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    /// The metric's own reads belong to the importer, which owns its tables.
    var metrics: MetricReadModel { MetricReadModel(pool: pool) }

    public func metric(titled title: String) async throws -> BusinessMetricInfo {
        guard let metric = try await metrics.metric(titled: title) else {
            let nearest = NearestNames.to(title, among: try await metrics.titles())
            throw ReportRefusal("no business metric titled \"\(title)\"" + NearestNames.didYouMean(nearest))
        }
        return BusinessMetricInfo(
            id: metric.id, title: metric.title, kind: metric.kind, connectionID: metric.connectionID,
            labelSource: metric.labelSource, since: metric.since, aggregationType: metric.aggregationType,
            creditTypeName: metric.creditTypeName, creditTypeIsCurrency: metric.creditTypeIsCurrency)
    }

    /// The metric's values in the period: `[day: [customer id: amount]]`.
    public func values(of metric: BusinessMetricInfo, in period: ReportPeriod) async throws -> [UTCDay: [String: Decimal]] {
        var values: [UTCDay: [String: Decimal]] = [:]
        for value in try await metrics.values(metricID: metric.id, from: period.from, through: period.to) {
            values[value.day, default: [:]][value.customerID] = value.amount
        }
        return values
    }

    /// Display labels of the metric's customers (the label is for display only; joins use the id).
    public func labels(for metric: BusinessMetricInfo) async throws -> [String: String] {
        try await metrics.labels(connectionID: metric.connectionID, labelSource: metric.labelSource)
    }

    /// The last day through which every customer batch of the metric is imported without a gap from its
    /// `since`: the importer's view, which `meterbridge status` reads too, so the two agree.
    public func completeThrough(_ metric: BusinessMetricInfo) async throws -> UTCDay? {
        try await metrics.completeThrough(metricID: metric.id)
    }

    /// Cloud cost for the last ~2 days still changes: the report's cost is complete through the latest
    /// day it has, but no later than two days before its source's latest import.
    public func costCompleteThrough(_ report: CostReport) async throws -> UTCDay? {
        let condition = CostFilterSQL.condition(report.filters, firstParameter: 1)
        let row = try await pool.query(
            """
            SELECT least(max(c.day), (SELECT (max(i.imported_at) AT TIME ZONE 'UTC')::date - 2 FROM cost_imports i))::text
            FROM cost_daily c WHERE \(condition.sql)
            """, condition.binds
        ).single()
        return try row.decode(String?.self, at: 0).flatMap { UTCDay($0) }
    }

    /// The report's cost in the period, split into tagged (per customer of `connectionID`) and shared.
    /// Refuses when the cost is in more than one currency.
    public func cost(of report: CostReport, in period: ReportPeriod, connectionID: Int64?) async throws -> ReportCost {
        let condition = CostFilterSQL.condition(report.filters, firstParameter: 4)
        let tagExpression = report.customerTag == nil ? "NULL::text" : "nullif(c.tags ->> $3::text, '')"
        let binds: [(any PostgresEncodable)?] =
            [period.from.description, period.to.description, report.customerTag ?? ""] + condition.binds
        let rows = try await pool.query(
            """
            SELECT c.day::text, c.currency, \(tagExpression), sum(c.effective_cost)::text
            FROM cost_daily c
            WHERE c.day BETWEEN $1::date AND $2::date AND ($3::text IS NOT NULL) AND \(condition.sql)
            GROUP BY 1, 2, 3
            """, binds)
        var currencies = Set<String>()
        var entries: [(day: UTCDay, tag: String?, amount: Decimal)] = []
        for row in rows {
            currencies.insert(try row.decode(at: 1))
            entries.append((try row.decodeDay(at: 0), try row.decode(at: 2), try row.decode(Decimal.self, at: 3)))
        }
        guard currencies.count <= 1 else {
            throw ReportRefusal(
                "cost report \"\(report.name)\" has cost in several currencies (\(currencies.sorted().joined(separator: ", "))) "
                    + "in \(period); amounts in different currencies cannot be added. Keep one currency in the report "
                    + "with a condition on it (cost-report edit \(report.name) --include currency=\(currencies.sorted().first ?? "USD") …).")
        }
        let tagValues = Set(entries.compactMap(\.tag))
        var resolved: [String: String] = [:]
        var candidates: [String: Int] = [:]
        if !tagValues.isEmpty, let connectionID {
            let matches = try await pool.query(
                """
                SELECT value, customer_id, candidates FROM customer_tag_matches
                WHERE connection_id = $1 AND value = ANY($2::text[])
                """, [connectionID, Array(tagValues)])
            for row in matches {
                let value: String = try row.decode(at: 0)
                candidates[value] = try row.decode(at: 2)
                if let customer = try row.decode(String?.self, at: 1) { resolved[value] = customer }
            }
        }
        var byDay: [UTCDay: CostAllocator.DayCost] = [:]
        var unmatched: [String: Decimal] = [:]
        var total = Decimal.zero
        for entry in entries {
            total += entry.amount
            guard let tag = entry.tag else {
                byDay[entry.day, default: .init()].shared += entry.amount
                continue
            }
            if let customer = resolved[tag] {
                byDay[entry.day, default: .init()].direct[customer, default: 0] += entry.amount
            } else {
                unmatched[tag, default: 0] += entry.amount
            }
        }
        return ReportCost(
            currency: currencies.first, byDay: byDay,
            unmatched: unmatched.keys.sorted().map {
                ReportCost.UnmatchedTag(value: $0, candidates: candidates[$0] ?? 0, amount: unmatched[$0]!)
            },
            total: total)
    }
}
