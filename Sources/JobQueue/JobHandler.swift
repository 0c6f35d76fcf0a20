/// Does the work of one kind of job.
public protocol JobHandler: Sendable {
    /// Runs `job` and says what became of it. A handler that commits its own writes together with the
    /// job's completion (inside one transaction, through ``JobQueue/complete(_:on:)``) returns
    /// `.alreadyCompleted`. Throwing records a failed attempt with the error's description, which must
    /// be safe to store (no secrets).
    func handle(_ job: ClaimedJob, context: JobContext) async throws -> JobOutcome
}

/// What the worker does with a job after its handler returns.
public enum JobOutcome: Sendable, Equatable {
    /// Mark the job completed.
    case complete
    /// The handler completed the job itself, in its own transaction.
    case alreadyCompleted
    /// Run again after `delay` without using an attempt (rate limited, waiting on something). With
    /// `record`, the reason is kept in the job's error history too.
    case snooze(for: Duration, reason: String, record: Bool = false)
    /// Wait on something outside the job (a paused connection, or one whose token was refused) for as
    /// long as it takes: like a snooze, but never counted against the snooze limit, so the job is not
    /// discarded however long the wait.
    case hold(for: Duration, reason: String, record: Bool = false)
    /// Give up for good (bad request, data that can never import).
    case discard(reason: String)
    /// Count a failed attempt; retry after the queue's backoff, or after `after` when given.
    case retry(error: String, after: Duration?)
}

/// What a handler may ask the worker while it runs.
public struct JobContext: Sendable {
    public let queue: JobQueue
    let registry: RunningJobs

    /// True once a heartbeat found the job's lease gone: stop working on it, nothing more will commit.
    public func isLeaseLost(_ job: ClaimedJob) async -> Bool {
        await registry.isLost(job.id)
    }
}

/// The jobs a worker is running, and which of them lost their lease.
actor RunningJobs {
    private var leases: [Int64: JobLease] = [:]
    private var lost: Set<Int64> = []

    var count: Int { leases.count }
    var all: [JobLease] { Array(leases.values) }

    func add(_ lease: JobLease) { leases[lease.jobID] = lease }

    func remove(_ id: Int64) {
        leases[id] = nil
        lost.remove(id)
    }

    func markLost(_ ids: some Sequence<Int64>) { lost.formUnion(ids) }
    func isLost(_ id: Int64) -> Bool { lost.contains(id) }
}
