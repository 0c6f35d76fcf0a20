public import Logging
import Metrics
public import ServiceLifecycle

/// Housekeeping that one process at a time does: rescue expired leases, promote due retries, prune old
/// finished jobs. Run it in every worker; a leader row elects one of them, and another takes over
/// within `leaderTTL` when the leader dies.
public struct QueueMaintenance: Service {
    public struct Options: Sendable {
        public var interval: Duration = .seconds(1)
        public var leaderTTL: Duration = .seconds(15)
        /// Finished jobs older than this are deleted (7 days).
        public var retention: Duration = .seconds(7 * 86_400)
        public var batchSize: Int = 1_000
        public var candidateID: String = JobWorker.defaultWorkerID()
        public init() {}
    }

    public let queue: JobQueue
    public let options: Options
    private let logger: Logger

    public init(queue: JobQueue, options: Options = Options(), logger: Logger) {
        self.queue = queue
        self.options = options
        self.logger = logger
    }

    var loop: LeaderLoop {
        LeaderLoop(
            role: "queue-maintenance", candidate: options.candidateID, ttl: options.leaderTTL, interval: options.interval)
    }

    public func run() async throws {
        await loop.run(queue: queue, logger: logger, failure: "queue maintenance failed") { try await maintain() }
    }

    /// One round, if this process leads. Returns whether it did.
    @discardableResult
    public func runOnce() async throws -> Bool {
        try await loop.runOnce(queue: queue) { try await maintain() } != nil
    }

    private func maintain() async throws {
        let rescued = try await queue.housekeeping.rescueExpired(limit: options.batchSize)
        if !rescued.isEmpty {
            Counter(label: "meterbridge_jobs_rescued_total").increment(by: rescued.count)
        }
        if !rescued.isEmpty { logger.warning("rescued jobs with expired leases", metadata: ["job.ids": "\(rescued)"]) }
        let promoted = try await queue.housekeeping.promoteDue(limit: options.batchSize)
        let pruned = try await queue.housekeeping.prune(retention: options.retention, limit: options.batchSize)
        try await queue.housekeeping.pruneGroups()
        if promoted > 0 || pruned > 0 {
            logger.debug("queue maintenance", metadata: ["jobs.promoted": "\(promoted)", "jobs.pruned": "\(pruned)"])
        }
    }
}
