public import Logging
import ServiceLifecycle

/// A loop that does its work only in the one process that leads `role` (a `job_leaders` row with an
/// expiry, taken over by another candidate when the leader stops renewing it), every `interval`,
/// until cancelled or gracefully shut down; then it resigns, so another candidate takes over at once.
/// Queue maintenance and the import planner both run in one.
public struct LeaderLoop: Sendable {
    public var role: String
    public var candidate: String
    /// How long a leadership lasts without renewal; longer than the interval, so a live leader keeps it.
    public var ttl: Duration
    public var interval: Duration

    public init(role: String, candidate: String, ttl: Duration, interval: Duration) {
        self.role = role
        self.candidate = candidate
        self.ttl = ttl
        self.interval = interval
    }

    /// One round: runs `body` if this candidate leads (taking or renewing the lead). Returns what it
    /// returned, or nil when another candidate leads.
    public func runOnce<T: Sendable>(queue: JobQueue, _ body: @Sendable () async throws -> T) async throws -> T? {
        guard try await queue.housekeeping.tryLead(role: role, candidate: candidate, ttl: ttl) else { return nil }
        return try await body()
    }

    /// Rounds until cancelled or shut down gracefully; a failed round is logged as `failure` and the loop
    /// goes on. Resigns at the end.
    public func run(
        queue: JobQueue, logger: Logger, failure: Logger.Message, _ body: @escaping @Sendable () async throws -> Void
    ) async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await runOnce(queue: queue, body)
                } catch {
                    if Task.isCancelled { break }
                    logger.warning(failure, metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
        try? await queue.housekeeping.resign(role: role, candidate: candidate)
    }
}
