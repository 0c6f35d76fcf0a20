public import Foundation
public import Metronome
public import Postgres

/// Business metrics and their imported values.
public struct MetricStore: Sendable {
    public let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    static let columns = """
        id, title, connection_id, kind, billable_metric_id, credit_type_id, credit_type_name, revenue_basis,
        label_source, since::text, created_at
        """

    static func metric(_ row: PostgresRow) throws -> BusinessMetric {
        BusinessMetric(
            id: try row.decode(at: 0), title: try row.decode(at: 1), connectionID: try row.decode(at: 2),
            kind: BusinessMetric.Kind(rawValue: try row.decode(at: 3)) ?? .usage, billableMetricID: try row.decode(at: 4),
            creditTypeID: try row.decode(at: 5), creditTypeName: try row.decode(at: 6),
            revenueBasis: try row.decode(String?.self, at: 7).flatMap(RevenueBasis.init(rawValue:)),
            labelSource: LabelSource(rawValue: try row.decode(at: 8)) ?? .customerID,
            since: UTCDay(try row.decode(String.self, at: 9)) ?? UTCDay(daysSinceEpoch: 0),
            createdAt: try row.decode(at: 10))
    }

    public func all() async throws -> [BusinessMetric] {
        try await pool.query("SELECT \(Self.columns) FROM business_metrics ORDER BY title").map(Self.metric)
    }

    public func active() async throws -> [BusinessMetric] {
        try await pool.query(
            """
            SELECT \(Self.columns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
            FROM business_metrics m JOIN connections c ON c.id = m.connection_id
            WHERE m.status = 'active' AND c.status = 'active' ORDER BY m.id
            """
        ).map(Self.metric)
    }

    public func find(id: Int64) async throws -> BusinessMetric? {
        try await pool.query("SELECT \(Self.columns) FROM business_metrics WHERE id = $1", [id]).first.map(Self.metric)
    }

    public func titled(_ title: String) async throws -> BusinessMetric {
        guard let row = try await pool.query("SELECT \(Self.columns) FROM business_metrics WHERE title = $1", [title]).first
        else { throw ConnectionStore.StoreError("no metric titled \(title)") }
        return try Self.metric(row)
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
            let matches = try await pool.query(
                "SELECT id FROM billable_metrics WHERE connection_id = $1 AND (id = $2 OR name = $2) ORDER BY archived_at NULLS FIRST",
                [connectionID, reference])
            guard let match = matches.first else {
                throw ConnectionStore.StoreError(
                    "connection \(connection.name) has no billable metric with id or name \(reference); see `meterbridge billable-metrics list --connection \(connection.name) --refresh`")
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
            guard let row = try await pool.query(
                "SELECT id, name FROM credit_types WHERE connection_id = $1 AND id = $2", [connection.id, creditTypeID]
            ).first else { throw ConnectionStore.StoreError("connection \(connection.name) has no credit type \(creditTypeID)") }
            return (try row.decode(at: 0), try row.decode(at: 1))
        }
        let code = (currency ?? "USD").uppercased()
        let rows = try await pool.query(
            """
            SELECT id, name FROM credit_types WHERE connection_id = $1 AND is_currency
              AND (upper(name) = $2 OR ($2 = 'USD' AND (id = $3 OR upper(name) = 'USD (CENTS)')))
            ORDER BY (id = $3) DESC, name
            """, [connection.id, code, RevenueUnits.usdCentsID])
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
                """
                INSERT INTO business_metrics (title, connection_id, kind, billable_metric_id, credit_type_id, credit_type_name,
                    revenue_basis, label_source, since)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date) RETURNING \(Self.columns)
                """,
                [title, connectionID, kind, billableMetricID, creditTypeID, creditTypeName, basis, labelSource.rawValue, since.description]
            ).single()
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw ConnectionStore.StoreError("a metric titled \(title) already exists")
        }
    }

    public func setLabelSource(_ metric: BusinessMetric, _ source: LabelSource) async throws {
        try await pool.query("UPDATE business_metrics SET label_source = $2 WHERE id = $1", [metric.id, source.rawValue])
    }

    /// Deletes the metric with its values and coverage and cancels its unfinished jobs. Returns the
    /// number of values deleted.
    @discardableResult
    public func delete(_ metric: BusinessMetric) async throws -> Int {
        try await pool.transaction { db in
            try db.query(
                "UPDATE jobs SET state = 'cancelled', finalized_at = now() WHERE state IN ('available', 'running', 'retryable') AND args->'metric_ids' @> jsonb_build_array($1::bigint)",
                [metric.id])
            let values = try db.query("DELETE FROM metric_values WHERE metric_id = $1", [metric.id]).affectedRows
            try db.query("DELETE FROM business_metrics WHERE id = $1", [metric.id])
            return values
        }
    }

    public func valueCount(_ metric: BusinessMetric) async throws -> Int {
        try await pool.query("SELECT count(*) FROM metric_values WHERE metric_id = $1", [metric.id]).single().decode(at: 0)
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
            """
            SELECT day::text, label, customer_id, amount::text FROM metric_values_labeled
            WHERE metric_id = $1 AND ($2::date IS NULL OR day >= $2::date) AND ($3::date IS NULL OR day <= $3::date)
              AND ($4::text IS NULL OR label = $4)
            ORDER BY day, label, customer_id
            """, [metric.id, from?.description, to?.description, label]
        ).map { row in
            LabeledValue(
                day: UTCDay(try row.decode(String.self, at: 0))!, label: try row.decode(at: 1),
                customerID: try row.decode(at: 2), amount: try row.decode(at: 3))
        }
    }
}
