import Foundation
public import Postgres

/// What one process at a time does for the whole queue (``QueueMaintenance`` runs it in the elected
/// leader): rescue expired leases, promote due retries, prune finished jobs and idle groups, hold and
/// give up leaderships, refresh the table's statistics. Reached through ``JobQueue/housekeeping``.
public struct JobHousekeeping: Sendable {
    public let queue: JobQueue
    var pool: PostgresConnectionPool { queue.pool }

    init(queue: JobQueue) { self.queue = queue }

    /// Returns jobs whose lease expired to `available` (or discards them when out of attempts).
    @discardableResult
    public func rescueExpired(limit: Int = 1_000) async throws -> [Int64] {
        let rows = try await pool.query(JobQueueSQL.rescue(errorLimit: queue.configuration.errorHistoryLimit), [limit])
        return try rows.map { try $0.decode(Int64.self, at: 0) }
    }

    /// Makes `retryable` jobs whose backoff has passed `available`; returns how many.
    @discardableResult
    public func promoteDue(limit: Int = 1_000) async throws -> Int {
        try await pool.query(JobQueueSQL.promote, [limit]).count
    }

    /// How many finished jobs are older than `retention` (what ``prune(retention:limit:)`` would delete).
    public func prunable(retention: Duration) async throws -> Int {
        try await pool.query(JobQueueSQL.prunable, [retention.seconds]).single().decode(Int.self, at: 0)
    }

    /// Deletes finished jobs older than `retention`, at most `limit` per call.
    @discardableResult
    public func prune(retention: Duration, limit: Int = 10_000) async throws -> Int {
        try await pool.transaction { connection in
            try connection.useBulkStatementTimeout()
            return try connection.query(JobQueueSQL.prune, [retention.seconds, limit]).affectedRows
        }
    }

    /// Takes or keeps the leadership of `role` for `ttl`; true when `candidate` leads.
    public func tryLead(role: String, candidate: String, ttl: Duration) async throws -> Bool {
        try await !pool.query(JobQueueSQL.lead, [role, candidate, ttl.seconds]).isEmpty
    }

    public func resign(role: String, candidate: String) async throws {
        try await pool.query(JobQueueSQL.resign, [role, candidate])
    }

    /// Refreshes the planner statistics of the jobs table (after a bulk load), vacuuming it first when
    /// `vacuum` is set.
    public func refreshStatistics(vacuum: Bool = false) async throws {
        try await pool.withConnection { connection in
            try await connection.run { connection in try JobHousekeeping.refreshStatistics(vacuum: vacuum, on: connection) }
        }
    }

    public static func refreshStatistics(vacuum: Bool = false, on connection: isolated PostgresConnection) throws {
        try connection.simpleQuery(vacuum ? JobQueueSQL.vacuumAnalyze : JobQueueSQL.analyze)
    }
    /// Forgets groups with no unfinished job that no producer has named for an hour.
    @discardableResult
    public func pruneGroups() async throws -> Int {
        try await pool.query(JobQueueSQL.pruneGroups).affectedRows
    }

}

extension JobQueue {
    /// The elected leader's view of the queue.
    public var housekeeping: JobHousekeeping { JobHousekeeping(queue: self) }
}
