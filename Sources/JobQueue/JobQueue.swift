public import Backoff
public import Foundation
public import Logging
public import Postgres
import Synchronization

/// A generic Postgres job queue: enqueue with unique keys, claim with `FOR UPDATE SKIP LOCKED`, leases
/// with heartbeats, fenced completion, retries with backoff, snoozes, discards, rescue, requeue,
/// cancel, pause and prune. It knows nothing about what the jobs do.
///
/// `JobQueue` is the queue's protocol for its two busiest audiences: producers enqueue, workers claim
/// and change the state of the jobs they hold. Operators and status displays use ``admin``
/// (``JobAdmin``); the elected maintenance leader uses ``housekeeping`` (``JobHousekeeping``).
///
/// The `async` methods use the pool. The `static` methods taking an `isolated PostgresConnection` run
/// inside a caller's transaction, so a handler can commit its own writes, the job's checkpoint and its
/// completion atomically.
public struct JobQueue: Sendable {
    public struct Configuration: Sendable {
        /// How long a claim holds a job without a heartbeat.
        public var lease: Duration = .seconds(60)
        /// Entries kept in a job's error history (oldest dropped first).
        public var errorHistoryLimit: Int = 50
        /// Snoozes allowed before a job is discarded instead.
        public var maxSnoozes: Int = 1_000
        /// The longest single snooze.
        public var maxSnooze: Duration = .seconds(3_600)
        public var backoff = Backoff.jobRetry
        /// The channel NOTIFY wakes workers on; `nil` disables notifications (polling only).
        public var notifyChannel: String? = "meterbridge_jobs"
        /// At most one NOTIFY per queue per interval from this process: notifications are only hints.
        public var notifyDebounce: Duration = .milliseconds(50)
        public init() {}
    }

    public let pool: PostgresConnectionPool
    public let configuration: Configuration
    let logger: Logger
    private let notifyTimes = NotifyDebouncer()
    private let groupPresence = GroupPresence()

    public init(pool: PostgresConnectionPool, configuration: Configuration = Configuration(), logger: Logger) {
        self.pool = pool
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Enqueue

    /// The outcome of enqueuing one job.
    public enum EnqueueResult: Sendable, Equatable {
        case inserted(id: Int64)
        /// An unfinished job already holds the unique key; nothing was inserted.
        case duplicate(existingID: Int64?)
    }

    /// Enqueues one job; a duplicate unique key is a no-op that says so.
    @discardableResult
    public func enqueue(_ job: NewJob) async throws -> EnqueueResult {
        let notify = notifyPayload(for: [job])
        return try await pool.withConnection { connection in
            try await connection.run { connection in
                try Self.enqueue(job, notify: notify, on: connection)
            }
        }
    }

    /// Enqueues many jobs in one statement and returns the ids inserted; jobs whose unique key is
    /// already held (or repeated within `jobs`) are skipped.
    @discardableResult
    public func enqueue(_ jobs: [NewJob]) async throws -> [Int64] {
        guard !jobs.isEmpty else { return [] }
        let notify = notifyPayload(for: jobs)
        return try await pool.withConnection { connection in
            try await connection.run { connection in try Self.enqueue(jobs, notify: notify, on: connection) }
        }
    }

    /// Enqueues inside the caller's transaction.
    public static func enqueue(
        _ job: NewJob, notify: (channel: String, payload: String)? = nil, on connection: isolated PostgresConnection
    ) throws -> EnqueueResult {
        if let id = try enqueue([job], notify: notify, on: connection).first { return .inserted(id: id) }
        let existing = try connection.query(JobQueueSQL.existingByUniqueKey, [job.uniqueKey]).first
        return .duplicate(existingID: try existing?.decode(Int64.self, at: 0))
    }

    /// Enqueues many jobs inside the caller's transaction.
    public static func enqueue(
        _ jobs: [NewJob], notify: (channel: String, payload: String)? = nil, on connection: isolated PostgresConnection
    ) throws -> [Int64] {
        for job in jobs where job.kind.isEmpty || job.maxAttempts < 1 {
            throw JobQueueError.invalidArgument("a job needs a kind and at least one attempt")
        }
        let rows = try connection.query(
            JobQueueSQL.enqueue,
            [
                jobs.map(\.queue), jobs.map(\.kind), jobs.map(\.argsJSON), jobs.map(\.priority), jobs.map(\.runAt),
                jobs.map(\.maxAttempts), jobs.map(\.uniqueKey), notify?.channel, notify?.payload, jobs.map(\.group?.key),
                jobs.map { $0.group?.maxRunning.map(Int32.init) },
            ])
        return try rows.map { try $0.decode(Int64.self, at: 0) }
    }

    // MARK: Groups

    /// States the caps of `groups` (creating them), as enqueuing does: for a producer whose cap changed
    /// while it had nothing new to enqueue.
    public func setGroupCaps(_ groups: [JobGroup]) async throws {
        guard !groups.isEmpty else { return }
        try await pool.query(JobQueueSQL.setGroupCaps, [groups.map(\.key), groups.map { $0.maxRunning.map(Int32.init) }])
    }

    private func notifyPayload(for jobs: [NewJob]) -> (channel: String, payload: String)? {
        guard let channel = configuration.notifyChannel, let queue = jobs.first?.queue,
            jobs.allSatisfy({ $0.runAt.map { $0 <= Date() } ?? true }),
            notifyTimes.shouldNotify(queue: queue, interval: configuration.notifyDebounce)
        else { return nil }
        return (channel, queue)
    }

    // MARK: Claim and heartbeat

    /// Claims up to `limit` available jobs from `queues` (priority first, then each group's turn, then
    /// `run_at`), skipping rows other claimers hold and paused queues; each gets a fresh lease.
    ///
    /// While any job group exists, claims take turns fleet-wide (a transaction-scoped advisory lock), so
    /// each claim counts the jobs that the claim before it took: two workers starting together would
    /// otherwise both see a group with nothing running, and the second would give its slots to the
    /// groups the first had just served (each long job then holding them for minutes) instead of to the
    /// groups with nothing running. A queue without groups claims in one statement, as before: once a
    /// claim has found no group, the claims of the next second skip the turn and its transaction.
    public func claim(queues: [String], limit: Int, workerID: String) async throws -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        let lease = configuration.lease
        if groupPresence.mayClaimWithoutTurn() {
            return try await pool.withConnection { connection in
                try await connection.run { connection in
                    try Self.claim(queues: queues, limit: limit, workerID: workerID, lease: lease, on: connection)
                }
            }
        }
        let presence = groupPresence
        return try await pool.withConnection { connection in
            try await connection.transaction { connection in
                presence.record(groupsExist: try connection.query(JobQueueSQL.claimTurn).single().decode(Bool.self, at: 0))
                return try Self.claim(queues: queues, limit: limit, workerID: workerID, lease: lease, on: connection)
            }
        }
    }

    public static func claim(
        queues: [String], limit: Int, workerID: String, lease: Duration, on connection: isolated PostgresConnection
    ) throws -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        let rows = try connection.query(JobQueueSQL.claim, [queues, limit, workerID, lease.seconds])
        return try rows.map { row in
            ClaimedJob(
                lease: JobLease(
                    jobID: try row.decode(Int64.self, column: "id"), token: try row.decode(UUID.self, column: "lease_token"),
                    workerID: workerID),
                queue: try row.decode(String.self, column: "queue"), kind: try row.decode(String.self, column: "kind"),
                argsJSON: try row.decode(String.self, column: "args"), priority: try row.decode(Int16.self, column: "priority"),
                attempt: try row.decode(Int16.self, column: "attempt"), maxAttempts: try row.decode(Int16.self, column: "max_attempts"),
                snoozes: try row.decode(Int.self, column: "snoozes"), cursorJSON: try row.decode(String?.self, column: "cursor"),
                createdAt: try row.decode(Date.self, column: "created_at"))
        }.sorted { $0.id < $1.id }
    }

    /// Extends the leases still held and returns the ids of those jobs; a job missing from the result
    /// was lost (rescued, cancelled or finished) and its worker should stop working on it.
    public func heartbeat(_ leases: [JobLease]) async throws -> Set<Int64> {
        guard !leases.isEmpty else { return [] }
        let rows = try await pool.query(
            JobQueueSQL.heartbeat, [leases.map(\.jobID), leases.map(\.token), configuration.lease.seconds])
        return Set(try rows.map { try $0.decode(Int64.self, at: 0) })
    }

    // MARK: Fenced state changes

    /// Marks the job completed.
    public func complete(_ lease: JobLease) async throws {
        try await onPooledConnection { connection in try Self.complete(lease, on: connection) }
    }

    public static func complete(_ lease: JobLease, on connection: isolated PostgresConnection) throws {
        try fenced(lease, connection.query(JobQueueSQL.complete, [lease.jobID, lease.token]))
    }

    /// Completes many jobs in one statement; returns the ids completed (leases lost are left out).
    @discardableResult
    public func complete(_ leases: [JobLease]) async throws -> Set<Int64> {
        guard !leases.isEmpty else { return [] }
        return try await onPooledConnection { connection in try Self.complete(leases, on: connection) }
    }

    @discardableResult
    public static func complete(_ leases: [JobLease], on connection: isolated PostgresConnection) throws -> Set<Int64> {
        let rows = try connection.query(JobQueueSQL.completeMany, [leases.map(\.jobID), leases.map(\.token)])
        return Set(try rows.map { try $0.decode(Int64.self, at: 0) })
    }

    /// The outcome of a failure.
    public enum FailureOutcome: Sendable, Equatable {
        case retryAt(Date)
        case discarded
    }

    /// Records a failed attempt. The job retries after the backoff (or `retryAfter`, when the
    /// failure says when to come back), or is discarded when this was its last attempt.
    @discardableResult
    public func fail(_ job: ClaimedJob, error: String, retryAfter: Duration? = nil) async throws
        -> FailureOutcome
    {
        let delay = retryAfter ?? configuration.backoff.delay(retry: Int(job.attempt))
        let limit = configuration.errorHistoryLimit
        return try await onPooledConnection { connection in
            try Self.fail(job.lease, error: error, delay: delay, errorHistoryLimit: limit, on: connection)
        }
    }

    public static func fail(
        _ lease: JobLease, error: String, delay: Duration, discard: Bool = false, errorHistoryLimit: Int = 50,
        on connection: isolated PostgresConnection
    ) throws -> FailureOutcome {
        let rows = try connection.query(
            JobQueueSQL.fail(errorLimit: errorHistoryLimit), [lease.jobID, lease.token, error, discard, delay.seconds])
        guard let row = rows.first else { throw JobQueueError.leaseLost(jobID: lease.jobID) }
        return try row.decode(JobState.self, at: 0) == .discarded ? .discarded : .retryAt(try row.decode(Date.self, at: 1))
    }

    /// Gives up on the job for good, recording why.
    public func discard(_ lease: JobLease, reason: String) async throws {
        let limit = configuration.errorHistoryLimit
        try await onPooledConnection { connection in
            try Self.discard(lease, reason: reason, errorHistoryLimit: limit, on: connection)
        }
    }

    public static func discard(
        _ lease: JobLease, reason: String, errorHistoryLimit: Int = 50, on connection: isolated PostgresConnection
    ) throws {
        try fenced(lease, connection.query(JobQueueSQL.discard(errorLimit: errorHistoryLimit), [lease.jobID, lease.token, reason]))
    }

    /// Runs the job again after `delay` without using an attempt (for rate limits: waiting is not
    /// failing). Returns false when the snooze cap was reached and the job was discarded instead.
    /// With `recordReason` the reason also goes into the job's error history (for operators to see why
    /// a job waits, e.g. an invalid token), still without using an attempt.
    /// With `counted` false (a hold) the snooze does not count against `maxSnoozes`.
    @discardableResult
    public func snooze(
        _ lease: JobLease, for delay: Duration, reason: String = "snoozed", recordReason: Bool = false, counted: Bool = true
    ) async throws -> Bool {
        let configuration = configuration
        return try await onPooledConnection { connection in
            try Self.snooze(
                lease, for: delay, reason: reason, recordReason: recordReason, counted: counted,
                configuration: configuration, on: connection)
        }
    }

    public static func snooze(
        _ lease: JobLease, for delay: Duration, reason: String, recordReason: Bool = false, counted: Bool = true,
        configuration: Configuration, on connection: isolated PostgresConnection
    ) throws -> Bool {
        let delay = min(max(delay, .zero), configuration.maxSnooze).seconds
        let rows = try connection.query(
            JobQueueSQL.snooze(errorLimit: configuration.errorHistoryLimit),
            [lease.jobID, lease.token, delay, configuration.maxSnoozes, reason, recordReason, counted])
        guard let row = rows.first else { throw JobQueueError.leaseLost(jobID: lease.jobID) }
        return try row.decode(JobState.self, at: 0) == .available
    }

    /// Saves the handler's cursor so a later attempt resumes from it.
    public func checkpoint(_ lease: JobLease, cursor: some Encodable & Sendable) async throws {
        let json = try JobJSON.encode(cursor)
        try await onPooledConnection { connection in try Self.checkpoint(lease, cursorJSON: json, on: connection) }
    }

    public static func checkpoint(_ lease: JobLease, cursorJSON: String, on connection: isolated PostgresConnection)
        throws
    {
        try fenced(lease, connection.query(JobQueueSQL.checkpoint, checkpointBinds(lease, cursorJSON: cursorJSON)))
    }

    /// The job's checkpoint as a part of another statement, so that a page's writes and its checkpoint
    /// commit in one statement, without a transaction (one round trip instead of four).
    ///
    /// The SQL is a data-modifying CTE's body, `UPDATE jobs … RETURNING 1`, whose parameters are numbered
    /// from `firstParameter` and bound by ``checkpointBinds(_:cursorJSON:)``. It returns a row only while
    /// the lease is held and `condition` (SQL of the statement's other CTEs) is true. The statement's writes
    /// must depend on that row (`WHERE EXISTS (SELECT 1 FROM <its name>)`), and the caller throws
    /// ``JobQueueError/leaseLost(jobID:)`` when the lease was the reason none came back.
    public static func checkpointStatementPart(firstParameter: Int, when condition: String) -> String {
        JobQueueSQL.fencedCheckpoint(firstParameter: firstParameter, when: condition) + "\nRETURNING 1"
    }

    /// The values of a checkpoint's parameters, in their order.
    public static func checkpointBinds(_ lease: JobLease, cursorJSON: String) -> [(any PostgresEncodable)?] {
        [lease.jobID, lease.token, cursorJSON]
    }

    /// Hands the job back untouched (shutdown): it is available at once and the attempt is not counted.
    public func release(_ lease: JobLease) async throws {
        try await onPooledConnection { connection in try Self.release(lease, on: connection) }
    }

    public static func release(_ lease: JobLease, on connection: isolated PostgresConnection) throws {
        try fenced(lease, connection.query(JobQueueSQL.release, [lease.jobID, lease.token]))
    }

    private static func fenced(_ lease: JobLease, _ result: PostgresResult) throws {
        guard result.affectedRows == 1 else { throw JobQueueError.leaseLost(jobID: lease.jobID) }
    }

    /// Runs `body` on one pooled connection, off the cooperative pool. It begins no transaction: each
    /// statement commits on its own (the fenced statements are single statements).
    private func onPooledConnection<T: Sendable>(_ body: @Sendable (isolated PostgresConnection) throws -> T) async throws
        -> T
    {
        try await pool.withConnection { connection in try await connection.run(body) }
    }

    // MARK: Selecting jobs

    /// Selects jobs for listing, requeue and cancel (``JobAdmin``). Every criterion given must match.
    public struct Filter: Sendable {
        public var ids: [Int64]?
        public var kind: String?
        /// JSON that the job's args must contain (`@>`), e.g. `{"metric_ids": [7]}`.
        public var argsContainJSON: String?
        public var queue: String?
        public var state: JobState?
        /// Only jobs that finished at or after this time.
        public var finishedSince: Date?
        public init(
            ids: [Int64]? = nil, kind: String? = nil, argsContainJSON: String? = nil, queue: String? = nil,
            state: JobState? = nil, finishedSince: Date? = nil
        ) {
            self.ids = ids
            self.kind = kind
            self.argsContainJSON = argsContainJSON
            self.queue = queue
            self.state = state
            self.finishedSince = finishedSince
        }

        var binds: [(any PostgresEncodable)?] { [ids, kind, argsContainJSON, queue, state, finishedSince] }
    }

    /// The args (JSON) of jobs of `kinds` in `states` whose args contain `argsContainJSON`: what a
    /// planner must not plan again. Read on `connection`, inside the caller's transaction, so that it
    /// belongs to the same snapshot as the caller's other reads.
    public static func args(
        kinds: [String], states: [JobState], argsContainJSON: String, on connection: isolated PostgresConnection
    ) throws -> [String] {
        try connection.query(JobQueueSQL.args, [kinds, states.map(\.rawValue), argsContainJSON])
            .map { try $0.decode(String.self, at: 0) }
    }

    /// Makes waiting jobs whose args contain `argsContainJSON` due now (e.g. a connection's held jobs once
    /// it is usable again). Returns how many.
    @discardableResult
    public func wake(argsContainJSON: String) async throws -> Int {
        try await pool.query(JobQueueSQL.wake, [argsContainJSON]).affectedRows
    }

    /// Jobs of `queue` waiting to run (available or retryable).
    public func backlog(queue: String) async throws -> Int {
        try await pool.query(JobQueueSQL.backlog, [queue]).single().decode(Int.self, at: 0)
    }

    /// Whether a job is running, or waiting (available or retryable) and due within `horizon`: a worker
    /// that exits when idle keeps waiting while this holds.
    public func hasWork(dueWithin horizon: Duration) async throws -> Bool {
        try await pool.query(JobQueueSQL.hasWork, [horizon.seconds]).single().decode(Bool.self, at: 0)
    }
}

/// Whether the queue had job groups when a claim last looked, and when.
final class GroupPresence: Sendable {
    private let state = Mutex<(groupsExist: Bool, checkedAt: ContinuousClock.Instant?)>((true, nil))

    /// The last look, less than a second ago, found no group.
    func mayClaimWithoutTurn() -> Bool {
        state.withLock { state in
            guard !state.groupsExist, let checked = state.checkedAt else { return false }
            return ContinuousClock.now - checked < .seconds(1)
        }
    }

    func record(groupsExist: Bool) { state.withLock { $0 = (groupsExist, ContinuousClock.now) } }
}

/// Remembers when this process last notified each queue.
final class NotifyDebouncer: Sendable {
    private let last = Mutex<[String: ContinuousClock.Instant]>([:])

    func shouldNotify(queue: String, interval: Duration) -> Bool {
        let now = ContinuousClock.now
        return last.withLock { last in
            if let previous = last[queue], now - previous < interval { return false }
            last[queue] = now
            return true
        }
    }
}
