import Foundation
import MetronomeSandbox
import Testing

@Suite("Sandbox fault modes", .timeLimit(.minutes(1)))
struct FaultModeTests {
    @Test("a 429 storm answers 429 whatever the rate limit, with Retry-After in seconds, as an HTTP-date or absent")
    func rateLimitedStorm() async throws {
        let configuration = SandboxTestSupport.configuration(faults: FaultConfiguration(rateLimitedRate: 1, seed: 11))
        try await SandboxTestSupport.run(configuration) { running, http in
            var styles: Set<String> = []
            for _ in 0..<40 {
                let answer = try await http.get("/v1/credit-types/list")
                #expect(answer.status == 429)
                let retryAfter = answer.headers["retry-after"]
                switch retryAfter {
                case nil: styles.insert("absent")
                case let value? where Int(value) != nil: styles.insert("seconds")
                case let value?:
                    #expect(value.hasSuffix(" GMT"), "\(value)")
                    styles.insert("http-date")
                }
            }
            #expect(styles == ["absent", "seconds", "http-date"])
            #expect(running.stats.faultsInjected == ["rate_limited": 40])
            #expect(running.stats.count(endpoint: "GET /v1/credit-types/list", status: 429) == 40)
        }
    }

    @Test("schema drift adds an unknown field to every object and future enum values, and leaves the numbers alone")
    func schemaDrift() async throws {
        let plain = SandboxTestSupport.configuration()
        let drifting = SandboxTestSupport.configuration(faults: FaultConfiguration(schemaDrift: true))
        let customer = try await SandboxTestSupport.run(plain) { running, _ in running.account.customers[0].id }
        let target = "/v1/customers/\(customer)/invoices/breakdowns?starting_on=2025-12-01T00:00:00Z&ending_before=2026-01-31T00:00:00Z"
            + "&window_size=day&limit=5"
        let before = try await SandboxTestSupport.run(plain) { _, http in try await http.get(target) }
        let after = try await SandboxTestSupport.run(drifting) { _, http in try await http.get(target) }
        #expect(before.status == 200 && after.status == 200)
        #expect(!before.body.contains("x_future_field"))

        var objects = 0
        func walk(_ value: Any, stripped: inout Any) {
            if var object = value as? [String: Any] {
                objects += 1
                #expect(object["x_future_field"] != nil, "an object without the unknown field: \(object.keys.sorted())")
                object["x_future_field"] = nil
                for (key, child) in object {
                    var copy: Any = child
                    walk(child, stripped: &copy)
                    object[key] = copy
                }
                stripped = object
            } else if let array = value as? [Any] {
                stripped = array.map { child -> Any in
                    var copy: Any = child
                    walk(child, stripped: &copy)
                    return copy
                }
            }
        }
        var stripped: Any = 0
        walk(try #require(after.json), stripped: &stripped)
        #expect(objects > 10)
        #expect(after.body.contains("_FUTURE\""), "an enum value from the future")
        // Without the unknown fields and enum values the two answers are the same document.
        let restored = String(data: try JSONSerialization.data(withJSONObject: stripped, options: .sortedKeys), encoding: .utf8)!
            .replacingOccurrences(of: "_V2_FUTURE", with: "").replacingOccurrences(of: "_FUTURE", with: "")
        let original = String(
            data: try JSONSerialization.data(withJSONObject: try #require(before.json), options: .sortedKeys), encoding: .utf8)!
        #expect(restored == original)
    }
}
