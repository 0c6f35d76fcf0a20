import Foundation
import JobQueue
import Metronome
import Postgres

/// Everything the planner needs to know about one connection, read in a handful of queries and keyed
/// by (metric, batch), so planning is linear in the coverage rows and queued jobs however many
/// customers the connection has.
struct ConnectionState: Sendable {
    struct Key: Hashable, Sendable {
        var metric: Int64
        var batch: Int
    }

    var connection: ConnectionRecord
    var metrics: [BusinessMetric]
    /// Customer batches, in order, with their customers' ids.
    var batches: [(Int, [String])]
    /// Days imported for every customer of the batch.
    var covered: [Key: DaySet]
    /// Days queued or running jobs will import, and days whose jobs failed for good.
    var pending: [Key: DaySet]
    var refreshed: [Key: (sync: Date?, hot: Date?)]
    var catalogRequests: Int

    var requestsPerSecond: Double { NSDecimalNumber(decimal: connection.rateLimit).doubleValue }

    /// Requests of one refresh of the trailing `days` of every metric and batch; metrics that share a
    /// source (revenue metrics of one credit type) share their jobs.
    func refreshRequests(days: Int) -> Int {
        var sources: [String: any ImportSource] = [:]
        for metric in metrics { sources[metric.importSource.sharingKey] = metric.importSource }
        return batches.reduce(0) { total, batch in
            total + sources.values.reduce(0) { $0 + $1.requests(days: days, customers: batch.1.count) }
        }
    }

    /// Reads the state of every connection in `connections` in one read-only snapshot (`REPEATABLE READ`),
    /// a handful of statements for all of them. A job's last commit moves its window from queued to covered
    /// at once, so within one snapshot every window is one or the other; reads at different moments could
    /// see a window finish between them and plan it again. (One transaction per connection cost seven
    /// round trips each, and one scan of the queue's jobs each: 1.4 s a cycle at 200 connections.)
    static func loadAll(_ connections: [ConnectionRecord], metrics: [Int64: [BusinessMetric]], queue: JobQueue) async throws
        -> [ConnectionState]
    {
        guard !connections.isEmpty else { return [] }
        return try await queue.pool.transaction { db in
            try db.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try loadAll(connections, metrics: metrics, on: db)
        }
    }

    private static func loadAll(_ connections: [ConnectionRecord], metrics: [Int64: [BusinessMetric]], on db: isolated PostgresConnection)
        throws -> [ConnectionState]
    {
        let ids = connections.map(\.id)
        var batches: [Int64: [(Int, [String])]] = [:]
        for row in try db.query(
            """
            SELECT connection_id, import_batch, array_agg(id ORDER BY id) FROM customers WHERE connection_id = ANY($1::int8[])
            GROUP BY connection_id, import_batch ORDER BY connection_id, import_batch
            """, [ids])
        {
            batches[try row.decode(at: 0), default: []].append((try row.decode(Int.self, at: 1), try row.decode([String].self, at: 2)))
        }

        // Coverage rows count for a batch only when they include all its customers (a customer that
        // joined the batch later has not been imported with it).
        var covered: [Int64: [Key: DaySet]] = [:]
        for row in try db.query(
            """
            WITH batches AS (
                SELECT connection_id, import_batch, array_agg(id) AS ids FROM customers WHERE connection_id = ANY($1::int8[])
                GROUP BY connection_id, import_batch
            )
            SELECT m.connection_id, cov.metric_id, b.import_batch, cov.window_start::text, cov.window_end::text
            FROM import_coverage cov
            JOIN business_metrics m ON m.id = cov.metric_id AND m.connection_id = ANY($1::int8[])
            JOIN batches b ON b.connection_id = m.connection_id AND b.import_batch = cov.import_batch
                AND cov.customer_ids @> b.ids
            """, [ids])
        {
            guard let range = DayRange(startText: try row.decode(String.self, at: 3), endText: try row.decode(String.self, at: 4)) else {
                continue
            }
            let key = Key(metric: try row.decode(at: 1), batch: try row.decode(at: 2))
            covered[try row.decode(at: 0), default: [:]][key, default: DaySet()].insert(range)
        }

        var refreshed: [Int64: [Key: (sync: Date?, hot: Date?)]] = [:]
        for row in try db.query(
            """
            SELECT m.connection_id, r.metric_id, r.import_batch, r.scope, r.refreshed_at FROM import_refreshes r
            JOIN business_metrics m ON m.id = r.metric_id AND m.connection_id = ANY($1::int8[])
            """, [ids])
        {
            let connection: Int64 = try row.decode(at: 0)
            let key = Key(metric: try row.decode(at: 1), batch: try row.decode(at: 2))
            let at: Date = try row.decode(at: 4)
            if try row.decode(String.self, at: 3) == "sync" {
                refreshed[connection, default: [:]][key, default: (nil, nil)].sync = at
            } else {
                refreshed[connection, default: [:]][key, default: (nil, nil)].hot = at
            }
        }

        // Every unfinished or failed import job, once; each names its connection.
        var pending: [Int64: [Key: DaySet]] = [:]
        let decoder = JSONDecoder()
        for argsJSON in try JobQueue.args(
            kinds: [ImportJobKind.usage.rawValue, ImportJobKind.revenue.rawValue], states: [.available, .running, .retryable, .discarded],
            argsContainJSON: "{}", on: db)
        {
            guard let args = try? decoder.decode(PlannedWindow.self, from: Data(argsJSON.utf8)) else { continue }
            for metric in args.metricIDs {
                pending[args.connectionID, default: [:]][Key(metric: metric, batch: args.batch), default: DaySet()].insert(args.window)
            }
        }

        var customers: [Int64: (active: Int, archived: Int)] = [:]
        for row in try db.query(
            """
            SELECT connection_id, count(*) FILTER (WHERE archived_at IS NULL), count(*) FILTER (WHERE archived_at IS NOT NULL)
            FROM customers WHERE connection_id = ANY($1::int8[]) GROUP BY connection_id
            """, [ids])
        {
            customers[try row.decode(at: 0)] = (try row.decode(at: 1), try row.decode(at: 2))
        }
        func counts(_ table: String) throws -> [Int64: Int] {
            var result: [Int64: Int] = [:]
            for row in try db.query("SELECT connection_id, count(*) FROM \(table) WHERE connection_id = ANY($1::int8[]) GROUP BY connection_id", [ids]) {
                result[try row.decode(at: 0)] = try row.decode(at: 1)
            }
            return result
        }
        let billableMetrics = try counts("billable_metrics")
        let creditTypes = try counts("credit_types")

        return connections.map { connection in
            let id = connection.id
            return ConnectionState(
                connection: connection, metrics: metrics[id] ?? [], batches: batches[id] ?? [], covered: covered[id] ?? [:],
                pending: pending[id] ?? [:], refreshed: refreshed[id] ?? [:],
                catalogRequests: PageCost.catalog(
                    activeCustomers: customers[id]?.active ?? 0, archivedCustomers: customers[id]?.archived ?? 0,
                    billableMetrics: billableMetrics[id] ?? 0, creditTypes: creditTypes[id] ?? 0))
        }
    }

    static func customerBatches(connectionID: Int64, pool: PostgresConnectionPool) async throws -> [(Int, [String])] {
        try await pool.withConnection { connection in try await connection.run { try customerBatches(connectionID: connectionID, on: $0) } }
    }

    private static func customerBatches(connectionID: Int64, on db: isolated PostgresConnection) throws -> [(Int, [String])] {
        let rows = try db.query(
            """
            SELECT import_batch, array_agg(id ORDER BY id) FROM customers WHERE connection_id = $1
            GROUP BY import_batch ORDER BY import_batch
            """, [connectionID])
        return try rows.map { (try $0.decode(Int.self, at: 0), try $0.decode([String].self, at: 1)) }
    }

    /// The part of a job's args the planner reads.
    private struct PlannedWindow: Decodable {
        var connectionID: Int64
        var metricIDs: [Int64]
        var window: DayRange
        var batch: Int
        enum CodingKeys: String, CodingKey {
            case connectionID = "connection_id"
            case metricIDs = "metric_ids"
            case window, batch
        }
    }
}
