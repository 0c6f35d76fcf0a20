import Foundation
public import Metronome
public import Postgres

/// Mirrors a connection's Metronome catalog: customers (active and archived, walked separately because
/// Metronome lists one or the other), billable metrics (archived too) and credit types. New customers
/// are appended to the import batches, so existing batches keep their coverage and only the batch a new
/// customer joins is backfilled again.
public struct CatalogSync: Sendable {
    public let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    public struct Summary: Sendable, Equatable {
        public var customers: Int
        public var newCustomers: Int
        public var billableMetrics: Int
        public var creditTypes: Int
    }

    /// A name as Postgres text can hold it: each NUL (which text cannot store) becomes U+FFFD, so one
    /// odd name never blocks a connection's catalog. Everything else is stored verbatim.
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacing("\u{0}", with: "\u{FFFD}") : text
    }

    public func sync(connection: ConnectionRecord, client: MetronomeClient) async throws -> Summary {
        var customers: [Customer] = []
        for archived in [false, true] {
            for try await page in client.customers(CustomerListQuery(onlyArchived: archived, limit: 100)) {
                customers += page.items
            }
        }
        var metrics: [BillableMetric] = []
        for try await page in client.billableMetrics(includeArchived: true, limit: 100) { metrics += page.items }
        var creditTypes: [CreditType] = []
        for try await page in client.creditTypes(limit: 100) { creditTypes += page.items }
        // A customer listed both active and archived (archived between the two walks) counts once.
        var unique: [String: Customer] = [:]
        for customer in customers { unique[customer.id] = customer }
        let sortedCustomers = unique.values.sorted { $0.id < $1.id }
        let allMetrics = metrics
        let allCreditTypes = creditTypes
        let connectionID = connection.id
        let batchSize = connection.customerBatchSize
        return try await pool.transaction { db in
            let existing = Set(
                try db.query("SELECT id FROM customers WHERE connection_id = $1", [connectionID]).map {
                    try $0.decode(String.self, at: 0)
                })
            let newCustomers = sortedCustomers.filter { !existing.contains($0.id) }
            let batches = try Self.assignBatches(newCustomers.map(\.id), connectionID: connectionID, batchSize: batchSize, on: db)
            try db.query(
                """
                INSERT INTO customers (connection_id, id, name, ingest_aliases, archived_at, import_batch)
                SELECT $1, id, name, aliases::text[], archived_at, batch
                FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int[])
                    AS t(id, name, aliases, archived_at, batch)
                ON CONFLICT (connection_id, id) DO UPDATE SET
                    name = EXCLUDED.name, ingest_aliases = EXCLUDED.ingest_aliases, archived_at = EXCLUDED.archived_at,
                    updated_at = now()
                WHERE (customers.name, customers.ingest_aliases, customers.archived_at)
                    IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.ingest_aliases, EXCLUDED.archived_at)
                """,
                [
                    connectionID, sortedCustomers.map(\.id), sortedCustomers.map { Self.storable($0.name ?? "") },
                    sortedCustomers.map { $0.ingestAliases.map(Self.storable).postgresText }, sortedCustomers.map(\.archivedAt),
                    sortedCustomers.map { batches[$0.id] ?? 0 },
                ])
            try db.query(
                """
                INSERT INTO billable_metrics (connection_id, id, name, aggregation_type, archived_at)
                SELECT $1, id, name, aggregation, archived_at
                FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS t(id, name, aggregation, archived_at)
                ON CONFLICT (connection_id, id) DO UPDATE SET name = EXCLUDED.name,
                    aggregation_type = EXCLUDED.aggregation_type, archived_at = EXCLUDED.archived_at, updated_at = now()
                """,
                [
                    connectionID, allMetrics.map(\.id), allMetrics.map { Self.storable($0.name ?? $0.id) },
                    allMetrics.map { $0.aggregationType?.rawValue }, allMetrics.map(\.archivedAt),
                ])
            try db.query(
                """
                INSERT INTO credit_types (connection_id, id, name, is_currency)
                SELECT $1, id, name, is_currency FROM unnest($2::text[], $3::text[], $4::bool[]) AS t(id, name, is_currency)
                ON CONFLICT (connection_id, id) DO UPDATE SET name = EXCLUDED.name, is_currency = EXCLUDED.is_currency
                """,
                [connectionID, allCreditTypes.map(\.id), allCreditTypes.map { Self.storable($0.name ?? $0.id) }, allCreditTypes.map { $0.isCurrency ?? true }])
            try db.query("UPDATE connections SET catalog_synced_at = now() WHERE id = $1", [connectionID])
            return Summary(
                customers: sortedCustomers.count, newCustomers: newCustomers.count, billableMetrics: allMetrics.count,
                creditTypes: allCreditTypes.count)
        }
    }

    /// Appends `ids` to the connection's batches: the last batch fills up to `batchSize`, then new
    /// batches open. Existing customers never move.
    static func assignBatches(
        _ ids: [String], connectionID: Int64, batchSize: Int, on db: isolated PostgresConnection
    ) throws -> [String: Int] {
        guard !ids.isEmpty else { return [:] }
        let last = try db.query(
            """
            SELECT import_batch, count(*) FROM customers WHERE connection_id = $1
            GROUP BY import_batch ORDER BY import_batch DESC LIMIT 1
            """, [connectionID]
        ).first
        var batch = try last?.decode(Int.self, at: 0) ?? 0
        var filled = try last?.decode(Int.self, at: 1) ?? 0
        var result: [String: Int] = [:]
        for id in ids {
            if filled >= batchSize {
                batch += 1
                filled = 0
            }
            result[id] = batch
            filled += 1
        }
        return result
    }
}

extension CatalogSync {
    /// A billable metric as the catalog mirrors it.
    public struct BillableMetricEntry: Sendable, Equatable {
        public var id: String
        public var name: String
        /// `SUM`, `MAX`, … as Metronome names it; nil when it named none.
        public var aggregationType: AggregationType?
        public var archived: Bool
    }

    /// The connection's billable metrics, current ones first, by name.
    public func billableMetrics(of connection: ConnectionRecord) async throws -> [BillableMetricEntry] {
        try await pool.query(
            """
            SELECT id, name, aggregation_type, archived_at IS NOT NULL FROM billable_metrics
            WHERE connection_id = $1 ORDER BY archived_at NULLS FIRST, name
            """, [connection.id]
        ).map { row in
            BillableMetricEntry(
                id: try row.decode(at: 0), name: try row.decode(at: 1),
                aggregationType: try row.decode(String?.self, at: 2).map(AggregationType.init(rawValue:)),
                archived: try row.decode(at: 3))
        }
    }
}
