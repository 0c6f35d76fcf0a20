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

    /// Requests of one refresh of the trailing `days` of every metric and batch; revenue metrics of one
    /// credit type share their jobs.
    func refreshRequests(days: Int) -> Int {
        let usage = metrics.filter { $0.kind == .usage }.count
        let creditTypes = Set(metrics.filter { $0.kind == .revenue }.map { $0.creditTypeID ?? "" }).count
        return batches.reduce(0) { total, batch in
            total + usage * PageCost.usage(days: days, customers: batch.1.count)
                + creditTypes * PageCost.revenue(days: days, customers: batch.1.count)
        }
    }

    /// Reads the connection's state in one read-only snapshot (`REPEATABLE READ`). A job's last commit
    /// moves its window from queued to covered at once, so within one snapshot every window is one or
    /// the other; reads at different moments could see a window finish between them and plan it again.
    static func load(_ connection: ConnectionRecord, metrics: [BusinessMetric], queue: JobQueue) async throws -> ConnectionState {
        try await queue.pool.transaction { db in
            try db.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try load(connection, metrics: metrics, on: db)
        }
    }

    private static func load(_ connection: ConnectionRecord, metrics: [BusinessMetric], on db: isolated PostgresConnection) throws
        -> ConnectionState
    {
        let id = connection.id
        let batches = try customerBatches(connectionID: id, on: db)

        // Coverage rows count for a batch only when they include all its customers (a customer that
        // joined the batch later has not been imported with it).
        var covered: [Key: DaySet] = [:]
        let coverageRows = try db.query(
            """
            WITH batches AS (
                SELECT import_batch, array_agg(id) AS ids FROM customers WHERE connection_id = $1 GROUP BY import_batch
            )
            SELECT cov.metric_id, b.import_batch, cov.window_start::text, cov.window_end::text
            FROM import_coverage cov
            JOIN business_metrics m ON m.id = cov.metric_id AND m.connection_id = $1
            JOIN batches b ON b.import_batch::text = split_part(cov.batch_key, '@', 1) AND cov.customer_ids @> b.ids
            """, [id])
        for row in coverageRows {
            guard let range = DayRange(startText: try row.decode(String.self, at: 2), endText: try row.decode(String.self, at: 3)) else {
                continue
            }
            covered[Key(metric: try row.decode(at: 0), batch: try row.decode(at: 1)), default: DaySet()].insert(range)
        }

        var refreshed: [Key: (sync: Date?, hot: Date?)] = [:]
        let refreshRows = try db.query(
            """
            SELECT r.metric_id, r.import_batch, r.scope, r.refreshed_at FROM import_refreshes r
            JOIN business_metrics m ON m.id = r.metric_id AND m.connection_id = $1
            """, [id])
        for row in refreshRows {
            let key = Key(metric: try row.decode(at: 0), batch: try row.decode(at: 1))
            let at: Date = try row.decode(at: 3)
            if try row.decode(String.self, at: 2) == "sync" {
                refreshed[key, default: (nil, nil)].sync = at
            } else {
                refreshed[key, default: (nil, nil)].hot = at
            }
        }

        var pending: [Key: DaySet] = [:]
        let decoder = JSONDecoder()
        for argsJSON in try JobQueue.args(
            kinds: [ImportJobKind.usage.rawValue, ImportJobKind.revenue.rawValue], states: [.available, .running, .retryable, .discarded],
            argsContainJSON: ImportJobArgs.selecting(connectionID: id), on: db)
        {
            guard let args = try? decoder.decode(PlannedWindow.self, from: Data(argsJSON.utf8)) else { continue }
            for metric in args.metricIDs {
                pending[Key(metric: metric, batch: args.batch), default: DaySet()].insert(args.window)
            }
        }

        let counts = try db.query(
            """
            SELECT (SELECT count(*) FROM customers WHERE connection_id = $1 AND archived_at IS NULL),
                   (SELECT count(*) FROM customers WHERE connection_id = $1 AND archived_at IS NOT NULL),
                   (SELECT count(*) FROM billable_metrics WHERE connection_id = $1),
                   (SELECT count(*) FROM credit_types WHERE connection_id = $1)
            """, [id]
        ).single()
        return ConnectionState(
            connection: connection, metrics: metrics, batches: batches, covered: covered, pending: pending, refreshed: refreshed,
            catalogRequests: PageCost.catalog(
                activeCustomers: try counts.decode(at: 0), archivedCustomers: try counts.decode(at: 1),
                billableMetrics: try counts.decode(at: 2), creditTypes: try counts.decode(at: 3)))
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
        var metricIDs: [Int64]
        var window: DayRange
        var batch: Int
        enum CodingKeys: String, CodingKey {
            case metricIDs = "metric_ids"
            case window, batch
        }
    }
}
