import Foundation
import MetronomeSandbox
import Testing

/// The sandbox's answers to invalid requests, in the shapes Metronome answers them.
@Suite("Sandbox validation", .timeLimit(.minutes(5)))
struct ValidationTests {
    static let day = "T00:00:00Z"

    @Test("auth: 401 for a missing or unknown token, switchable to 403")
    func auth() async throws {
        try await SandboxTestSupport.run { _, http async throws in
            for token in [nil, "nope"] as [String?] {
                let answer = try await http.get("/v1/customers", token: token)
                #expect(answer.status == 401)
                #expect(answer.message != nil)
            }
        }
        var configuration = SandboxTestSupport.configuration()
        configuration.unauthorizedStatus = 403
        try await SandboxTestSupport.run(configuration) { _, http async throws in
            #expect(try await http.get("/v1/credit-types/list", token: "nope").status == 403)
        }
    }

    @Test("limit must be an integer 1–100 on GET lists", arguments: ["0", "101", "-1", "abc", "1.5", ""])
    func limits(limit: String) async throws {
        try await SandboxTestSupport.run { _, http async throws in
            for path in ["/v1/customers", "/v1/billable-metrics", "/v1/credit-types/list"] {
                let answer = try await http.get("\(path)?limit=\(limit)")
                #expect(answer.status == 400, "\(path)")
                #expect(answer.message?.contains("limit") == true)
            }
            #expect(try await http.get("/v1/customers?limit=100").status == 200)
            #expect(try await http.get("/v1/customers?limit=1").status == 200)
        }
    }

    @Test("POST /v1/usage rejects limit, missing fields and misaligned or short bounds")
    func usage() async throws {
        try await SandboxTestSupport.run { _, http async throws in
            let good = RawHTTP.usageBody(from: "2026-01-01\(Self.day)", to: "2026-01-02\(Self.day)")
            #expect(try await http.post("/v1/usage", body: good).status == 200)
            #expect(try await http.post("/v1/usage?limit=10", body: good).status == 400)
            #expect(try await http.post("/v1/usage?limit=10", body: good).message?.contains("limit") == true)
            let bad = [
                "", "not json", "[]", #"{"starting_on":"2026-01-01T00:00:00Z","ending_before":"2026-01-02T00:00:00Z"}"#,
                #"{"window_size":"day","ending_before":"2026-01-02T00:00:00Z"}"#,
                #"{"window_size":"day","starting_on":"2026-01-01T00:00:00Z"}"#,
                RawHTTP.usageBody(from: "2026-01-01\(Self.day)", to: "2026-01-02\(Self.day)", windowSize: "week"),
                RawHTTP.usageBody(from: "2026-01-01T01:00:00Z", to: "2026-01-03\(Self.day)"),
                RawHTTP.usageBody(from: "2026-01-01\(Self.day)", to: "2026-01-02T00:00:00.001Z"),
                RawHTTP.usageBody(from: "2026-01-01T00:00:00+01:00", to: "2026-01-03\(Self.day)"),
                RawHTTP.usageBody(from: "2026-01-01\(Self.day)", to: "2026-01-01T23:00:00Z", windowSize: "hour"),
                RawHTTP.usageBody(from: "2026-01-02\(Self.day)", to: "2026-01-01\(Self.day)"),
                RawHTTP.usageBody(from: "yesterday", to: "2026-01-01\(Self.day)"),
                RawHTTP.usageBody(
                    from: "2026-01-01\(Self.day)", to: "2026-01-02\(Self.day)", customerIDs: ["not-a-uuid"]),
            ]
            for body in bad {
                let answer = try await http.post("/v1/usage", body: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.message != nil)
            }
            // Every casing of window_size is accepted, and +00:00 is the same instant as Z.
            for size in ["DAY", "Day", "hour", "NONE"] {
                let body = RawHTTP.usageBody(
                    from: "2026-01-01T00:00:00+00:00", to: "2026-01-02\(Self.day)", windowSize: size)
                #expect(try await http.post("/v1/usage", body: body).status == 200, "\(size)")
            }
        }
    }

    @Test("lenient mode widens misaligned usage bounds instead of refusing them")
    func lenient() async throws {
        var configuration = SandboxTestSupport.configuration()
        configuration.strictUsageBounds = false
        try await SandboxTestSupport.run(configuration) { _, http async throws in
            let body = RawHTTP.usageBody(from: "2026-01-01T05:00:00Z", to: "2026-01-01T06:00:00Z")
            let answer = try await http.post("/v1/usage", body: body)
            #expect(answer.status == 200)
            #expect(answer.data.first?["start_timestamp"] as? String == "2026-01-01T00:00:00Z")
        }
    }

    @Test("unknown customers are 404, malformed ids 400")
    func customers() async throws {
        try await SandboxTestSupport.run { running, http async throws in
            let unknown = "00000000-0000-4000-8000-000000000000"
            let range = "starting_on=2026-01-01T00:00:00Z&ending_before=2026-01-02T00:00:00Z"
            for path in [
                "/v1/customers/\(unknown)", "/v1/customers/\(unknown)/billable-metrics",
                "/v1/customers/\(unknown)/invoices/breakdowns?\(range)",
            ] {
                #expect(try await http.get(path).status == 404, "\(path)")
            }
            #expect(try await http.get("/v1/customers/not-a-uuid").status == 400)
            #expect(try await http.get("/v1/customers?customer_ids=xyz").status == 400)
            let known = running.account.customers[0].id
            #expect(try await http.get("/v1/customers/\(known)").status == 200)
            #expect(try await http.get("/v1/nothing-here").status == 404)
        }
    }

    @Test("breakdowns validate bounds, window size, status, sort and limit")
    func breakdowns() async throws {
        try await SandboxTestSupport.run { running, http async throws in
            let base = "/v1/customers/\(running.account.customers[0].id)/invoices/breakdowns?"
            let range = "starting_on=2026-01-01T00:00:00Z&ending_before=2026-01-05T00:00:00Z"
            #expect(try await http.get(base + range).status == 200)
            for query in [
                "ending_before=2026-01-05T00:00:00Z", "starting_on=2026-01-01T00:00:00Z",
                "starting_on=2026-01-05T00:00:00Z&ending_before=2026-01-01T00:00:00Z", range + "&window_size=week",
                range + "&status=PAID", range + "&sort=newest", range + "&limit=0",
                range + "&skip_zero_qty_line_items=maybe",
                "starting_on=01/01/2026&ending_before=2026-01-05T00:00:00Z",
            ] {
                #expect(try await http.get(base + query).status == 400, "\(query)")
            }
            for query in [
                range + "&window_size=HOUR", range + "&status=draft", range + "&sort=date_desc", range + "&limit=100",
            ] {
                #expect(try await http.get(base + query).status == 200, "\(query)")
            }
        }
    }

    @Test("cursors: garbage or replayed with other parameters is 400")
    func cursors() async throws {
        try await SandboxTestSupport.run { _, http async throws in
            let first = try await http.get("/v1/customers?limit=2")
            let cursor = try #require(first.nextPage)
            #expect(try await http.get("/v1/customers?limit=2&next_page=\(cursor)").status == 200)
            #expect(try await http.get("/v1/customers?limit=3&next_page=\(cursor)").status == 400)
            #expect(try await http.get("/v1/customers?limit=2&next_page=garbage").status == 400)
            #expect(
                try await http.get("/v1/customers?limit=2&next_page=").status == 200,
                "an empty cursor is the first page")
        }
    }

    @Test("429 once the token's bucket is empty, with Retry-After in the configured form")
    func rateLimit() async throws {
        for mode in RetryAfterMode.allCases {
            // One request per 20 s: the refill is far slower than the test, even on a loaded machine.
            var configuration = SandboxTestSupport.configuration(rateLimit: 0.05)
            configuration.retryAfter = mode
            configuration.tokens = [SandboxTestSupport.token, "second-token"]
            try await SandboxTestSupport.run(configuration) { running, http async throws in
                #expect(try await http.get("/v1/credit-types/list").status == 200)
                let refused = try await http.get("/v1/credit-types/list")
                #expect(refused.status == 429)
                #expect(refused.message == "Too many requests")
                switch mode {
                case .off: #expect(refused.headers["retry-after"] == nil)
                case .seconds: #expect((1...20).contains(Int(refused.headers["retry-after"] ?? "") ?? 0))
                case .httpDate: #expect(refused.headers["retry-after"]?.hasSuffix(" GMT") == true)
                case .milliseconds: #expect(Int(refused.headers["retry-after-ms"] ?? "") ?? 0 > 0)
                }
                // The budget is per token and shared by every endpoint.
                #expect(try await http.get("/v1/customers").status == 429)
                #expect(try await http.get("/v1/customers", token: "second-token").status == 200)
                #expect(try await http.get("/__sandbox/stats").status == 200, "the admin endpoints are never limited")
                #expect(running.stats.rateLimited == 2)
            }
        }
    }

    @Test("array parameters are accepted comma-joined and as repeated keys")
    func arrays() async throws {
        try await SandboxTestSupport.run { running, http async throws in
            let ids = running.account.customers.filter { !$0.isArchived }.prefix(3).map(\.id)
            let joined = try await http.get("/v1/customers?customer_ids=\(ids.joined(separator: ","))")
            let repeated = try await http.get(
                "/v1/customers?" + ids.map { "customer_ids=\($0)" }.joined(separator: "&"))
            #expect(joined.data.compactMap { $0["id"] as? String } == ids)
            #expect(repeated.data.compactMap { $0["id"] as? String } == ids)
        }
    }
}
