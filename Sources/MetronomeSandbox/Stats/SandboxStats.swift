import Synchronization

/// Counters of what the sandbox answered, for `GET /__sandbox/stats` and for tests.
public final class SandboxStats: Sendable {
    private let state = Mutex(SandboxStatsSnapshot())
    private let servedPages = Mutex<Set<PageKey>>([])

    /// Identifies one page: endpoint (method and concrete path), canonical query and body, and cursor.
    struct PageKey: Hashable, Sendable {
        let high: UInt64
        let low: UInt64

        init(_ description: String) {
            high = StableHash.fnv1a(description)
            low = StableHash.fnv1a(description, basis: 0x84222325CBF29CE4)
        }
    }

    init() {}

    func recordResponse(endpoint: String, status: Int) {
        state.withLock { stats in
            stats.requestsTotal += 1
            stats.requestsByEndpoint[endpoint, default: [:]][status, default: 0] += 1
            if status == 429 { stats.rateLimited += 1 }
        }
    }

    func recordUserAgent(_ agent: String) {
        state.withLock { $0.userAgents[agent, default: 0] += 1 }
    }

    func recordFault(_ fault: String) {
        state.withLock { $0.faultsInjected[fault, default: 0] += 1 }
    }

    /// A page answered 200. Counts it as served again if the same key was answered before.
    func recordPageServed(_ key: PageKey) {
        let isRepeat = servedPages.withLock { !$0.insert(key).inserted }
        state.withLock { stats in
            stats.pagesServed += 1
            if isRepeat { stats.pagesServedMoreThanOnce += 1 }
        }
    }

    public var snapshot: SandboxStatsSnapshot {
        state.withLock { $0 }
    }
}
