import Foundation
import MetronomeSandbox
import Testing

@Suite("Sandbox statistics", .timeLimit(.minutes(5)))
struct StatsTests {
    @Test("requests by endpoint and status, and pages served more than once")
    func stats() async throws {
        try await SandboxTestSupport.run { running, http in
            let first = try await http.get("/v1/customers?limit=2")
            _ = try await http.get("/v1/customers?limit=2")
            let cursor = try #require(first.nextPage)
            _ = try await http.get("/v1/customers?limit=2&next_page=\(cursor)")
            _ = try await http.get("/v1/customers?limit=3")
            _ = try await http.get("/v1/customers/\(running.account.customers[0].id)")
            _ = try await http.get("/v1/customers/00000000-0000-4000-8000-000000000000")
            _ = try await http.get("/v1/customers", token: "bad")
            let body = RawHTTP.usageBody(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z")
            _ = try await http.post("/v1/usage", body: body)
            _ = try await http.post("/v1/usage", body: body)

            let stats = running.stats
            #expect(stats.count(endpoint: "GET /v1/customers", status: 200) == 4)
            #expect(stats.count(endpoint: "GET /v1/customers", status: 401) == 1)
            #expect(stats.count(endpoint: "GET /v1/customers/{customer_id}", status: 200) == 1)
            #expect(stats.count(endpoint: "GET /v1/customers/{customer_id}", status: 404) == 1)
            #expect(stats.count(endpoint: "POST /v1/usage", status: 200) == 2)
            #expect(stats.requestsTotal == 9)
            #expect(stats.pagesServed == 6)
            #expect(stats.pagesServedMoreThanOnce == 2, "the repeated first customers page and the repeated usage page")

            let served = try await http.get("/__sandbox/stats", token: nil)
            let json = try #require(served.json as? [String: Any])
            #expect(json["pages_served_more_than_once"] as? Int == 2)
            #expect((json["requests"] as? [String: Any])?["POST /v1/usage"] as? [String: Int] == ["200": 2])
            #expect(json["rate_limited"] as? Int == 0)
            let info = try await http.get("/__sandbox/info", token: nil)
            #expect((info.json as? [String: Any])?["last_day"] as? String == "2026-01-31")
            #expect((info.json as? [String: Any])?["profile"] as? String == "adversarial")
        }
    }

    @Test("faults are counted by kind")
    func faults() async throws {
        let configuration = SandboxTestSupport.configuration(faults: FaultConfiguration(serverErrorRate: 1))
        try await SandboxTestSupport.run(configuration) { running, http in
            for _ in 0..<3 {
                let answer = try await http.get("/v1/credit-types/list")
                #expect([500, 502, 503].contains(answer.status))
            }
            #expect(running.stats.faultsInjected == ["server_error": 3])
            #expect(running.stats.pagesServed == 0)
        }
    }
}
