import Foundation
public import JobQueue
import Metrics
import Synchronization

/// `meterbridge_queue_jobs{queue,state}`, refreshed at most every few seconds when scraped (one cheap
/// GROUP BY over the jobs table).
public final class QueueDepthGauges: Sendable {
    private let queue: JobQueue
    private let minimumInterval: Duration
    private let state = Mutex<(refreshed: ContinuousClock.Instant?, seen: Set<[String]>)>((nil, []))

    public init(queue: JobQueue, minimumInterval: Duration = .seconds(5)) {
        self.queue = queue
        self.minimumInterval = minimumInterval
    }

    public func refresh() async {
        let now = ContinuousClock.now
        let due = state.withLock { state in
            if let last = state.refreshed, now - last < minimumInterval { return false }
            state.refreshed = now
            return true
        }
        guard due, let counts = try? await queue.admin.counts() else { return }
        var current = Set<[String]>()
        for count in counts {
            current.insert([count.queue, count.state.rawValue])
            Gauge(label: "meterbridge_queue_jobs", dimensions: [("queue", count.queue), ("state", count.state.rawValue)])
                .record(count.count)
        }
        // States that emptied read 0 rather than their last value.
        let vanished = state.withLock { state in
            let vanished = state.seen.subtracting(current)
            state.seen = current
            return vanished
        }
        for key in vanished {
            Gauge(label: "meterbridge_queue_jobs", dimensions: [("queue", key[0]), ("state", key[1])]).record(0)
        }
    }
}
