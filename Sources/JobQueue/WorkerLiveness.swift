public import Foundation
import Synchronization

/// When a worker's two loops last made progress: the claim loop (each pass) and the heartbeat loop
/// (each beat). A liveness probe fails when either has been stuck longer than a threshold, so an
/// orchestrator restarts a worker that is alive but no longer working.
public final class WorkerLiveness: Sendable {
    private let claimLoop: Atomic<Int64>
    private let heartbeat: Atomic<Int64>
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = Date.init) {
        self.now = now
        let started = Int64(now().timeIntervalSince1970 * 1_000)
        claimLoop = Atomic(started)
        heartbeat = Atomic(started)
    }

    func claimLoopRan() { claimLoop.store(milliseconds(), ordering: .relaxed) }
    func heartbeatRan() { heartbeat.store(milliseconds(), ordering: .relaxed) }

    private func milliseconds() -> Int64 { Int64(now().timeIntervalSince1970 * 1_000) }

    /// Why the worker is stuck, or nil while both loops moved within `threshold`.
    public func problem(threshold: Duration) -> String? {
        let current = milliseconds()
        let limit = Int64(threshold.seconds * 1_000)
        let claimAge = current - claimLoop.load(ordering: .relaxed)
        let heartbeatAge = current - heartbeat.load(ordering: .relaxed)
        if claimAge > limit { return "the claim loop has not run for \(claimAge / 1_000) s" }
        if heartbeatAge > limit { return "the heartbeat has not run for \(heartbeatAge / 1_000) s" }
        return nil
    }
}
