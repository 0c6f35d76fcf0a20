public import JobQueue
public import Logging
import Metrics
public import ServiceLifecycle

/// The planner as a long-running service: one planning pass every `intervalSeconds`, only in the replica
/// that leads the `planner` role, so any number of replicas may run. Counts the jobs it plans
/// (`meterbridge_planned_jobs_total{queue}`).
public struct PlannerService: Service {
    public static let role = "planner"

    public let planner: ImportPlanner
    public let interval: Duration
    public let candidateID: String
    let logger: Logger

    public init(
        planner: ImportPlanner, interval: Duration, candidateID: String = JobWorker.defaultWorkerID(), logger: Logger
    ) {
        self.planner = planner
        self.interval = interval
        self.candidateID = candidateID
        self.logger = logger
    }

    /// The lead outlives three missed cycles, so a slow pass does not hand it to another replica.
    var loop: LeaderLoop {
        LeaderLoop(role: Self.role, candidate: candidateID, ttl: interval * 3, interval: interval)
    }

    public func run() async throws {
        await loop.run(queue: planner.queue, logger: logger, failure: "planning failed") { _ = try await plan() }
    }

    /// One cycle: plans if this replica leads. Returns the pass's summary, or nil when another replica leads.
    @discardableResult
    public func runOnce() async throws -> ImportPlanner.Summary? {
        try await loop.runOnce(queue: planner.queue) { try await plan() }
    }

    private func plan() async throws -> ImportPlanner.Summary {
        let summary = try await planner.plan()
        Counter(label: "meterbridge_planned_jobs_total", dimensions: [("queue", ImportQueue.sync)]).increment(by: summary.syncJobs)
        Counter(label: "meterbridge_planned_jobs_total", dimensions: [("queue", ImportQueue.backfill)]).increment(
            by: summary.backfillJobs)
        return summary
    }
}
