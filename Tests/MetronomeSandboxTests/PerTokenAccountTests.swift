import Foundation
import MetronomeSandbox
import Testing

/// Each token is an account of its own: its own customers and truth, its own rate limit and counters,
/// so a benchmark of many connections can tell which one fetched a page twice.
@Suite("Accounts per token", .timeLimit(.minutes(5)))
struct PerTokenAccountTests {
    static func configuration(tokens: [String]) -> SandboxConfiguration {
        var configuration = SandboxTestSupport.configuration()
        configuration.tokens = tokens
        return configuration
    }

    @Test("the first token keeps the seed's account; another token gets one of its own, always the same")
    func accounts() async throws {
        let single = MetronomeSandbox(configuration: SandboxTestSupport.configuration())
        let two = MetronomeSandbox(configuration: Self.configuration(tokens: [SandboxTestSupport.token, "second"]))
        let again = MetronomeSandbox(configuration: Self.configuration(tokens: ["other-first", "second"]))
        #expect(two.account.customers.map(\.id) == single.account.customers.map(\.id))
        let second = try #require(two.account(token: "second"))
        #expect(Set(second.customers.map(\.id)).isDisjoint(with: single.account.customers.map(\.id)))
        #expect(second.customers.count == single.account.customers.count, "the same sizes")
        #expect(again.account(token: "second")?.customers.map(\.id) == second.customers.map(\.id))
        #expect(two.account(token: "unknown") == nil)
        #expect(two.truth(token: "second") != two.truth())
    }

    @Test("each token is served its own account, and counted on its own")
    func servedAndCounted() async throws {
        try await SandboxTestSupport.run(Self.configuration(tokens: [SandboxTestSupport.token, "second"])) { running, http in
            let first = try await http.get("/v1/customers?limit=50")
            let second = try await http.get("/v1/customers?limit=50", token: "second")
            let firstIDs = Set(((first.json as? [String: Any])?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            let secondIDs = Set(((second.json as? [String: Any])?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            // The list holds active customers (archived ones come with only_archived=true).
            #expect(firstIDs == Set(running.account.customers.filter { !$0.isArchived }.map(\.id)))
            let secondAccount = try #require(running.sandbox.account(token: "second"))
            #expect(secondIDs == Set(secondAccount.customers.filter { !$0.isArchived }.map(\.id)))
            #expect(!secondIDs.isEmpty && firstIDs.isDisjoint(with: secondIDs))
            // The same page for the other token is not a page fetched twice; for the same token it is.
            _ = try await http.get("/v1/customers?limit=50", token: "second")
            _ = try await http.get("/v1/customers", token: "bad")

            #expect(running.stats.requestsTotal == 4)
            #expect(running.stats.pagesServedMoreThanOnce == 1)
            let mine = running.stats(token: SandboxTestSupport.token)
            let theirs = running.stats(token: "second")
            #expect(mine.requestsTotal == 1 && mine.pagesServed == 1 && mine.pagesServedMoreThanOnce == 0)
            #expect(theirs.requestsTotal == 2 && theirs.pagesServed == 2 && theirs.pagesServedMoreThanOnce == 1)

            let stats = try #require(try await http.get("/__sandbox/stats", token: nil).json as? [String: Any])
            let tokens = try #require(stats["tokens"] as? [String: [String: Int]])
            #expect(tokens["second"] == ["requests_total": 2, "rate_limited": 0, "pages_served": 2, "pages_served_more_than_once": 1])
            #expect(tokens[SandboxTestSupport.token]?["requests_total"] == 1)

            let truth = try await http.get("/__sandbox/truth?format=csv&token=second", token: nil)
            #expect(truth.status == 200)
            let truthCustomers = Set(truth.body.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[4] }.map(String.init))
            #expect(!truthCustomers.isEmpty && truthCustomers.isSubset(of: Set(secondAccount.customers.map(\.id))))
            #expect(try await http.get("/__sandbox/truth?token=unknown", token: nil).status == 400)
            let info = try #require(try await http.get("/__sandbox/info?token=second", token: nil).json as? [String: Any])
            #expect((info["seed"] as? NSNumber)?.uint64Value == running.sandbox.account(token: "second")?.parameters.seed)
        }
    }

    @Test("each token has its own rate limit")
    func rateLimitPerToken() async throws {
        var configuration = Self.configuration(tokens: ["a", "b"])
        // One request per 100 s: each bucket holds one token, and no refill can come within the test,
        // however slowly a loaded machine sends the requests.
        configuration.rateLimit = 0.01
        try await SandboxTestSupport.run(configuration) { running, http in
            var refused = 0
            for _ in 0..<3 where try await http.get("/v1/credit-types/list", token: "a").status == 429 { refused += 1 }
            #expect(refused == 2, "a's bucket holds one request")
            #expect(try await http.get("/v1/credit-types/list", token: "b").status == 200, "b's bucket is its own")
            #expect(running.stats(token: "a").rateLimited == refused)
            #expect(running.stats(token: "b").rateLimited == 0)
        }
    }

    @Test("an added latency delays every API answer, not the admin endpoints")
    func latency() async throws {
        var configuration = SandboxTestSupport.configuration()
        configuration.latency = .milliseconds(150)
        configuration.latencyJitter = .milliseconds(20)
        try await SandboxTestSupport.run(configuration) { _, http in
            let clock = ContinuousClock()
            for path in ["/v1/credit-types/list", "/v1/customers?limit=1"] {
                let started = clock.now
                let status = try await http.get(path).status
                #expect(status == 200)
                #expect(clock.now - started >= .milliseconds(150), "\(path)")
            }
            // Refused requests travel the same network.
            let started = clock.now
            let refused = try await http.get("/v1/customers", token: "bad").status
            #expect(refused == 401)
            #expect(clock.now - started >= .milliseconds(150))
        }
    }
}
