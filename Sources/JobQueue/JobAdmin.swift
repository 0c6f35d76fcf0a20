import Foundation
public import Postgres

/// The queue as operators and status displays see it: select, list, requeue and cancel jobs, pause
/// queues, and the read models (counts, errors, checkpoints, groups) that `status`, the console and the
/// MCP server show. Reached through ``JobQueue/admin``.
public struct JobAdmin: Sendable {
    public typealias Filter = JobQueue.Filter
    public let queue: JobQueue
    var pool: PostgresConnectionPool { queue.pool }

    init(queue: JobQueue) { self.queue = queue }

    /// Puts discarded and cancelled jobs back to work, raising `max_attempts` so each gets another run.
    /// With `dryRun` the change is made and rolled back, so the ids returned are exactly what would change.
    @discardableResult
    public func requeue(_ filter: Filter, dryRun: Bool = false) async throws -> [Int64] {
        try await idsChanged(JobQueueSQL.requeue, filter.binds, dryRun: dryRun)
    }

    /// Cancels unfinished jobs. A running job's worker finds its lease lost at its next state change.
    @discardableResult
    public func cancel(_ filter: Filter, dryRun: Bool = false) async throws -> [Int64] {
        try await idsChanged(JobQueueSQL.cancel, filter.binds, dryRun: dryRun)
    }

    /// Cancels unfinished jobs inside the caller's transaction (e.g. together with deleting what they
    /// import), exactly as ``cancel(_:dryRun:)`` does: leases are cleared, so the worker of a running job
    /// finds its lease lost. Returns the ids cancelled.
    @discardableResult
    public static func cancel(_ filter: Filter, on connection: isolated PostgresConnection) throws -> [Int64] {
        try connection.query(JobQueueSQL.cancel, filter.binds).map { try $0.decode(Int64.self, at: 0) }.sorted()
    }

    private struct DryRun: Error { var ids: [Int64] }

    private func idsChanged(_ sql: String, _ binds: [(any PostgresEncodable)?], dryRun: Bool) async throws -> [Int64] {
        do {
            return try await pool.transaction { connection in
                let ids = try connection.query(sql, binds).map { try $0.decode(Int64.self, at: 0) }.sorted()
                if dryRun { throw DryRun(ids: ids) }
                return ids
            }
        } catch let dryRun as DryRun {
            return dryRun.ids
        }
    }

    /// Jobs matching `filter`, newest first.
    public func list(_ filter: Filter, limit: Int = 100) async throws -> [JobRecord] {
        let rows = try await pool.query(
            JobQueueSQL.selectJob + " WHERE \(JobQueueSQL.filter) ORDER BY id DESC LIMIT $7", filter.binds + [limit])
        return try rows.map(Self.record)
    }

    /// An unfinished job's saved checkpoint: how far it got before it finishes.
    public struct Checkpoint: Sendable, Equatable {
        public var kind: String
        public var argsJSON: String
        public var cursorJSON: String

        public func args<T: Decodable>(as type: T.Type = T.self) throws -> T { try JobJSON.decode(type, from: argsJSON) }
        public func cursor<T: Decodable>(as type: T.Type = T.self) throws -> T { try JobJSON.decode(type, from: cursorJSON) }
    }

    /// Unfinished jobs (waiting, running or retrying) that saved a checkpoint, at most `limit`: the progress
    /// inside jobs, for status displays.
    public func checkpointed(limit: Int = 10_000) async throws -> [Checkpoint] {
        try await pool.query(JobQueueSQL.checkpointed, [limit]).map {
            Checkpoint(kind: try $0.decode(at: 0), argsJSON: try $0.decode(at: 1), cursorJSON: try $0.decode(at: 2))
        }
    }

    /// How many jobs matching `filter` are in each state (states without jobs are left out).
    public func stateCounts(_ filter: Filter) async throws -> [JobState: Int] {
        var counts: [JobState: Int] = [:]
        for row in try await pool.query(JobQueueSQL.stateCounts, filter.binds) {
            counts[try row.decode(JobState.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return counts
    }

    /// The newest `limit` entries of the error histories of jobs matching `filter`, newest first.
    public func newestErrors(_ filter: Filter, limit: Int) async throws -> [JobErrorEntry] {
        try await pool.query(JobQueueSQL.newestErrors, filter.binds + [limit]).map {
            try JobJSON.decode(JobErrorEntry.self, from: try $0.decode(String.self, at: 0))
        }
    }

    /// Jobs by state for each element of the array `key` in their args (each metric id of `metric_ids`):
    /// what ``stateCounts(_:)`` gives for one element, for all at once.
    public func stateCounts(byArgsElement key: String) async throws -> [String: [JobState: Int]] {
        var counts: [String: [JobState: Int]] = [:]
        for row in try await pool.query(JobQueueSQL.stateCountsByArgsElement, [key]) {
            counts[try row.decode(String.self, at: 0), default: [:]][try row.decode(JobState.self, at: 1)] = try row.decode(Int.self, at: 2)
        }
        return counts
    }

    /// The newest `limit` error entries for each element of the array `key` in the args, newest first.
    public func newestErrors(byArgsElement key: String, limit: Int) async throws -> [String: [JobErrorEntry]] {
        var errors: [String: [JobErrorEntry]] = [:]
        for row in try await pool.query(JobQueueSQL.newestErrorsByArgsElement, [key, limit]) {
            errors[try row.decode(String.self, at: 0), default: []].append(
                try JobJSON.decode(JobErrorEntry.self, from: try row.decode(String.self, at: 1)))
        }
        return errors
    }

    /// Jobs per queue and state, with the oldest due `available` job's wait, for status displays.
    public struct QueueCount: Sendable, Codable, Equatable {
        public var queue: String
        public var state: JobState
        public var count: Int
        public var paused: Bool
    }

    public func counts() async throws -> [QueueCount] {
        let rows = try await pool.query(JobQueueSQL.counts)
        return try rows.map {
            QueueCount(
                queue: try $0.decode(at: 0), state: try $0.decode(at: 1), count: try $0.decode(at: 2),
                paused: try $0.decode(at: 3))
        }
    }

    /// Stops claims from `queue` (jobs already running finish) until ``resume(queue:)``.
    public func pause(queue: String) async throws {
        try await pool.query(JobQueueSQL.pause, [queue, true])
    }

    public func resume(queue: String) async throws {
        try await pool.query(JobQueueSQL.pause, [queue, false])
    }

    /// One job with its full error history.
    public func job(id: Int64) async throws -> JobRecord? {
        try await pool.query(JobQueueSQL.selectJob + " WHERE id = $1", [id]).first.map(Self.record)
    }

    static func record(_ row: PostgresRow) throws -> JobRecord {
        JobRecord(
            id: try row.decode(column: "id"), queue: try row.decode(column: "queue"), kind: try row.decode(column: "kind"),
            state: try row.decode(column: "state"), argsJSON: try row.decode(column: "args"),
            priority: try row.decode(column: "priority"), attempt: try row.decode(column: "attempt"),
            maxAttempts: try row.decode(column: "max_attempts"), snoozes: try row.decode(column: "snoozes"),
            runAt: try row.decode(column: "run_at"), lockedBy: try row.decode(column: "locked_by"),
            leaseExpiresAt: try row.decode(column: "lease_expires_at"), cursorJSON: try row.decode(column: "cursor"),
            errors: try JobJSON.decode([JobErrorEntry].self, from: try row.decode(String.self, column: "errors")),
            uniqueKey: try row.decode(column: "unique_key"), createdAt: try row.decode(column: "created_at"),
            attemptedAt: try row.decode(column: "attempted_at"), finalizedAt: try row.decode(column: "finalized_at"))
    }

    /// Every group with its cap and the jobs of it running and available now.
    public func groups() async throws -> [JobGroupStatus] {
        try await pool.query(JobQueueSQL.groups).map { row in
            JobGroupStatus(
                key: try row.decode(String.self, at: 0), maxRunning: try row.decode(Int32?.self, at: 1).map(Int.init),
                running: try row.decode(Int.self, at: 2), available: try row.decode(Int.self, at: 3))
        }
    }

}

extension JobQueue {
    /// Operators' and status displays' view of the queue.
    public var admin: JobAdmin { JobAdmin(queue: self) }
}
