import Synchronization

/// Counters of what the sandbox answered, for `GET /__sandbox/stats` and for tests.
public final class SandboxStats: Sendable {
    private let state = Mutex(SandboxStatsSnapshot())
    /// The same counters for each token's requests.
    private let byToken = Mutex<[String: SandboxStatsSnapshot]>([:])
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

    /// An answer to a request that came with `token` (nil: without a token the sandbox accepts).
    func recordResponse(endpoint: String, status: Int, token: String? = nil) {
        @Sendable func count(_ stats: inout SandboxStatsSnapshot) {
            stats.requestsTotal += 1
            stats.requestsByEndpoint[endpoint, default: [:]][status, default: 0] += 1
            if status == 429 { stats.rateLimited += 1 }
        }
        state.withLock { count(&$0) }
        if let token { byToken.withLock { count(&$0[token, default: SandboxStatsSnapshot()]) } }
    }

    func recordUserAgent(_ agent: String) {
        state.withLock { $0.userAgents[agent, default: 0] += 1 }
    }

    func recordFault(_ fault: String) {
        state.withLock { $0.faultsInjected[fault, default: 0] += 1 }
    }

    /// A page answered 200 to `token`. Counts it as served again if the same key was answered to the same
    /// token before (each token is an account of its own).
    func recordPageServed(_ key: PageKey, token: String) {
        let isRepeat = servedPages.withLock { !$0.insert(key).inserted }
        @Sendable func count(_ stats: inout SandboxStatsSnapshot) {
            stats.pagesServed += 1
            if isRepeat { stats.pagesServedMoreThanOnce += 1 }
        }
        state.withLock { count(&$0) }
        byToken.withLock { count(&$0[token, default: SandboxStatsSnapshot()]) }
    }

    public var snapshot: SandboxStatsSnapshot {
        state.withLock { $0 }
    }

    /// The counters of the requests made with `token` (faults and user agents are counted only in total).
    public func snapshot(token: String) -> SandboxStatsSnapshot {
        byToken.withLock { $0[token] ?? SandboxStatsSnapshot() }
    }
}
