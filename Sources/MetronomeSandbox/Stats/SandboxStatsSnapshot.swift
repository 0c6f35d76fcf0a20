/// A copy of the sandbox's counters at one moment.
public struct SandboxStatsSnapshot: Hashable, Sendable {
    /// API requests answered (or dropped), `/__sandbox` excluded.
    public var requestsTotal = 0
    /// Endpoint (`GET /v1/customers/{customer_id}`) → HTTP status → count. A dropped connection counts as status 0.
    public var requestsByEndpoint: [String: [Int: Int]] = [:]
    /// 429s answered by the rate limiter.
    public var rateLimited = 0
    /// Fault name → times injected.
    public var faultsInjected: [String: Int] = [:]
    /// `User-Agent` → API requests that carried it.
    public var userAgents: [String: Int] = [:]
    /// List pages answered 200 (injected empty pages included).
    public var pagesServed = 0
    /// Pages answered 200 again for the same endpoint, query, body and cursor: work a client
    /// fetched twice.
    public var pagesServedMoreThanOnce = 0

    public init() {}

    /// Requests answered with `status` on `endpoint`, or on every endpoint when nil.
    public func count(endpoint: String? = nil, status: Int? = nil) -> Int {
        requestsByEndpoint
            .filter { endpoint == nil || $0.key == endpoint }
            .flatMap { $0.value }
            .filter { status == nil || $0.key == status }
            .reduce(0) { $0 + $1.value }
    }

    /// The counters as JSON; `perToken` adds a `tokens` object with each token's requests, 429s and pages.
    func writeJSON(into writer: inout JSONWriter, perToken: [(String, SandboxStatsSnapshot)] = []) {
        writer.beginObject()
        writer.key("requests_total")
        writer.raw(String(requestsTotal))
        writer.key("requests")
        writer.beginObject()
        for endpoint in requestsByEndpoint.keys.sorted() {
            writer.key(endpoint)
            writer.beginObject()
            for (status, count) in requestsByEndpoint[endpoint]!.sorted(by: { $0.key < $1.key }) {
                writer.key(String(status))
                writer.raw(String(count))
            }
            writer.endObject()
        }
        writer.endObject()
        writer.key("rate_limited")
        writer.raw(String(rateLimited))
        writer.key("faults_injected")
        writer.beginObject()
        for fault in faultsInjected.keys.sorted() {
            writer.key(fault)
            writer.raw(String(faultsInjected[fault]!))
        }
        writer.endObject()
        writer.key("user_agents")
        writer.beginObject()
        for agent in userAgents.keys.sorted() {
            writer.key(agent)
            writer.raw(String(userAgents[agent]!))
        }
        writer.endObject()
        writer.key("pages_served")
        writer.raw(String(pagesServed))
        writer.key("pages_served_more_than_once")
        writer.raw(String(pagesServedMoreThanOnce))
        if !perToken.isEmpty {
            writer.key("tokens")
            writer.beginObject()
            for (token, stats) in perToken {
                writer.key(token)
                writer.beginObject()
                writer.key("requests_total")
                writer.raw(String(stats.requestsTotal))
                writer.key("rate_limited")
                writer.raw(String(stats.rateLimited))
                writer.key("pages_served")
                writer.raw(String(stats.pagesServed))
                writer.key("pages_served_more_than_once")
                writer.raw(String(stats.pagesServedMoreThanOnce))
                writer.endObject()
            }
            writer.endObject()
        }
        writer.endObject()
    }
}
