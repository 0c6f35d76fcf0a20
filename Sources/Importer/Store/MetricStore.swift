public import Foundation
import JobQueue
public import Metronome
public import Postgres
import TextOutput

/// Business metrics and their imported values.
public struct MetricStore: Sendable {
    public let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    static func metric(_ row: PostgresRow) throws -> BusinessMetric {
        let id: Int64 = try row.decode(column: "id")
        let source: BusinessMetric.Source
        switch try row.decode(BusinessMetric.Kind.self, column: "kind") {
        case .usage:
            source = .usage(billableMetricID: try row.decode(column: "billable_metric_id"))
        case .revenue:
            guard let basis = try row.decode(RevenueBasis?.self, column: "revenue_basis") else {
                throw UnreadableMetric(id: id, missing: "revenue_basis")
            }
            source = .revenue(
                BusinessMetric.Revenue(
                    creditTypeID: try row.decode(column: "credit_type_id"),
                    creditTypeName: try row.decode(String?.self, column: "credit_type_name") ?? "", basis: basis))
        }
        return BusinessMetric(
            id: id, title: try row.decode(column: "title"), connectionID: try row.decode(column: "connection_id"), source: source,
            labelSource: try row.decode(column: "label_source"), since: try row.decodeDay(column: "since"),
            createdAt: try row.decode(column: "created_at"))
    }

    /// A stored metric whose kind lacks a column it needs (the schema's checks keep this from happening).
    struct UnreadableMetric: Error, CustomStringConvertible {
        var id: Int64
        var missing: String
        var description: String { "business metric \(id) has no \(missing)" }
    }

    public func all() async throws -> [BusinessMetric] {
        try await pool.query(MetricStoreSQL.all).map(Self.metric)
    }

    public func active() async throws -> [BusinessMetric] {
        try await pool.query(MetricStoreSQL.active).map(Self.metric)
    }

    public func find(id: Int64) async throws -> BusinessMetric? {
        try await pool.query(MetricStoreSQL.byID, [id]).first.map(Self.metric)
    }

    /// The metric titled exactly `title`, if any.
    public func find(title: String) async throws -> BusinessMetric? {
        try await pool.query(MetricStoreSQL.byTitle, [title]).first.map(Self.metric)
    }

    /// What to create; the catalog must already know the billable metric or credit type.
    public enum Source: Sendable {
        /// A billable metric, by id or exact name.
        case usage(billableMetric: String)
        /// Revenue in a currency code (`USD`, `EUR`) or an explicit credit type id.
        case revenue(currency: String?, creditTypeID: String?, basis: RevenueBasis)
    }

    public func create(
        title: String, connection: ConnectionRecord, source: Source, labelSource: LabelSource, since: UTCDay
    ) async throws -> BusinessMetric {
        let connectionID = connection.id
        let row: PostgresRow
        switch source {
        case .usage(let reference):
            let matches = try await pool.query(MetricStoreSQL.billableMetricsByReference, [connectionID, reference])
            guard let match = matches.first else {
                let names = try await pool.query(MetricStoreSQL.billableMetricNames, [connectionID]).map { try $0.decode(String.self, at: 0) }
                throw ConnectionStore.StoreError(
                    "connection \(connection.name) has no billable metric with id or name \(reference)"
                        + NearestNames.didYouMean(NearestNames.to(reference, among: names))
                        + "; see `meterbridge billable-metrics list --connection \(connection.name) --refresh`")
            }
            guard matches.count == 1 else {
                throw ConnectionStore.StoreError("several billable metrics are named \(reference); pass its id instead")
            }
            row = try await insert(
                title: title, connectionID: connectionID, kind: "usage", billableMetricID: try match.decode(String.self, at: 0),
                creditTypeID: nil, creditTypeName: nil, basis: nil, labelSource: labelSource, since: since)
        case .revenue(let currency, let creditTypeID, let basis):
            let (id, name) = try await resolveCreditType(connection: connection, currency: currency, creditTypeID: creditTypeID)
            row = try await insert(
                title: title, connectionID: connectionID, kind: "revenue", billableMetricID: nil, creditTypeID: id,
                creditTypeName: name, basis: basis.rawValue, labelSource: labelSource, since: since)
        }
        return try Self.metric(row)
    }

    private func resolveCreditType(connection: ConnectionRecord, currency: String?, creditTypeID: String?) async throws
        -> (String, String)
    {
        if let creditTypeID {
            guard let row = try await pool.query(MetricStoreSQL.creditTypeByID, [connection.id, creditTypeID]).first else { throw ConnectionStore.StoreError("connection \(connection.name) has no credit type \(creditTypeID)") }
            return (try row.decode(at: 0), try row.decode(at: 1))
        }
        let code = (currency ?? "USD").uppercased()
        let rows = try await pool.query(MetricStoreSQL.currencyCreditTypes, [connection.id, code, RevenueUnits.usdCentsID])
        guard let row = rows.first else {
            throw ConnectionStore.StoreError("connection \(connection.name) has no \(code) credit type; pass --credit-type-id")
        }
        return (try row.decode(at: 0), try row.decode(at: 1))
    }

    private func insert(
        title: String, connectionID: Int64, kind: String, billableMetricID: String?, creditTypeID: String?,
        creditTypeName: String?, basis: String?, labelSource: LabelSource, since: UTCDay
    ) async throws -> PostgresRow {
        do {
            return try await pool.query(
                MetricStoreSQL.insert,
                [title, connectionID, kind, billableMetricID, creditTypeID, creditTypeName, basis, labelSource.rawValue, since.description]
            ).single()
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw ConnectionStore.StoreError("a metric titled \(title) already exists")
        }
    }

    public func setLabelSource(_ metric: BusinessMetric, _ source: LabelSource) async throws {
        try await pool.query(MetricStoreSQL.setLabelSource, [metric.id, source.rawValue])
    }

    /// Deletes the metric with its values and coverage and cancels its unfinished jobs. Returns the
    /// number of values deleted.
    @discardableResult
    public func delete(_ metric: BusinessMetric) async throws -> Int {
        try await pool.transaction { db in
            try JobAdmin.cancel(JobQueue.Filter(argsContainJSON: ImportJobArgs.selecting(metricID: metric.id)), on: db)
            let values = try db.query(MetricStoreSQL.deleteValues, [metric.id]).affectedRows
            try db.query(MetricStoreSQL.delete, [metric.id])
            return values
        }
    }

    /// The last day through which every customer batch of the metric is imported without a gap from its
    /// `since` (view `metric_complete_through`, which the reports read too), or nil.
    public func completeThrough(_ metric: BusinessMetric) async throws -> UTCDay? {
        guard let row = try await pool.query(MetricStoreSQL.completeThrough, [metric.id]).first,
            try row.decode(String?.self, at: 0) != nil
        else { return nil }
        return try row.decodeDay(at: 0)
    }

    /// What each metric imports, by title: its billable metric's name, or its credit type and revenue basis
    /// (`USD (cents) invoice-total`).
    public func sourceDescriptions() async throws -> [String: String] {
        var sources: [String: String] = [:]
        for row in try await pool.query(MetricStoreSQL.sourceDescriptions) {
            sources[try row.decode(at: 0)] = try row.decode(String?.self, at: 1) ?? ""
        }
        return sources
    }

    public func valueCount(_ metric: BusinessMetric) async throws -> Int {
        try await pool.query(MetricStoreSQL.valueCount, [metric.id]).single().decode(at: 0)
    }

    /// Every metric's stored values, by metric id (metrics without values are missing).
    public func valueCounts() async throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for row in try await pool.query(MetricStoreSQL.valueCounts) { counts[try row.decode(at: 0)] = try row.decode(at: 1) }
        return counts
    }

    /// ``completeThrough(_:)`` of every metric at once, by metric id (nil: not complete through any day).
    public func completeThroughAll() async throws -> [Int64: UTCDay] {
        var result: [Int64: UTCDay] = [:]
        for row in try await pool.query(MetricStoreSQL.completeThroughAll) where try row.decode(String?.self, at: 1) != nil {
            result[try row.decode(at: 0)] = try row.decodeDay(at: 1)
        }
        return result
    }

    /// Every metric's imported windows per customer batch of its connection, by metric id.
    public func coverageByBatch() async throws -> [Int64: [Int: DaySet]] {
        var result: [Int64: [Int: DaySet]] = [:]
        for row in try await pool.query(MetricStoreSQL.coverageByBatch) {
            let metric: Int64 = try row.decode(at: 0)
            let batch: Int = try row.decode(at: 1)
            var set = result[metric]?[batch] ?? DaySet()
            if let start = try row.decode(String?.self, at: 2), let end = try row.decode(String?.self, at: 3),
                let range = DayRange(startText: start, endText: end)
            {
                set.insert(range)
            }
            result[metric, default: [:]][batch] = set
        }
        return result
    }

    /// One labeled daily value.
    public struct LabeledValue: Sendable, Equatable {
        public var day: UTCDay
        public var label: String
        public var customerID: String
        public var amount: Decimal
    }

    public func values(
        _ metric: BusinessMetric, from: UTCDay? = nil, to: UTCDay? = nil, label: String? = nil
    ) async throws -> [LabeledValue] {
        try await pool.query(
            MetricStoreSQL.values, [metric.id, from?.description, to?.description, label]
        ).map { row in
            LabeledValue(
                day: try row.decodeDay(at: 0), label: try row.decode(at: 1),
                customerID: try row.decode(at: 2), amount: try row.decode(at: 3))
        }
    }
}
