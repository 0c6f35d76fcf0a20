import Testing

@testable import Metronome

@Suite("Retry policy", .timeLimit(.minutes(5)))
struct RetryPolicyTests {
    let policy = RetryPolicy()
    let transient = MetronomeError(kind: .transient, endpoint: "GET /v1/customers", status: 503, detail: "")

    @Test("backoff doubles from 0.5 s and is capped at 8 s")
    func schedule() {
        let delays = (0..<6).map { policy.backoff(retriesSoFar: $0, random: 1) }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)])
    }

    @Test("jitter scales the backoff into (0.75, 1]")
    func jitter() {
        #expect(policy.backoff(retriesSoFar: 2, random: 0) == .milliseconds(1500))
        #expect(policy.backoff(retriesSoFar: 2, random: 0.5) == .milliseconds(1750))
        #expect(policy.backoff(retriesSoFar: 2, random: 7) == .seconds(2))
    }

    @Test("three retries by default, then the error surfaces")
    func retryCount() {
        for retries in 0..<3 {
            #expect(policy.decide(after: transient, retriesSoFar: retries, serverDelay: nil, random: 1) != .giveUp)
        }
        #expect(policy.decide(after: transient, retriesSoFar: 3, serverDelay: nil, random: 1) == .giveUp)
    }

    @Test("a server delay is honoured exactly up to 60 s, and ends the policy beyond")
    func serverDelay() {
        let limited = MetronomeError(
            kind: .rateLimited(retryAfter: .seconds(5)), endpoint: "POST /v1/usage", detail: "")
        #expect(
            policy.decide(after: limited, retriesSoFar: 0, serverDelay: .seconds(5), random: 0)
                == .retry(after: .seconds(5)))
        #expect(
            policy.decide(after: limited, retriesSoFar: 0, serverDelay: .seconds(60), random: 0)
                == .retry(after: .seconds(60)))
        #expect(policy.decide(after: limited, retriesSoFar: 0, serverDelay: .seconds(61), random: 0) == .giveUp)
        #expect(
            policy.decide(after: transient, retriesSoFar: 1, serverDelay: .milliseconds(250), random: 0)
                == .retry(after: .milliseconds(250)))
    }

    @Test("a 429 without a delay backs off like any transient failure")
    func rateLimitedWithoutHeader() {
        let limited = MetronomeError(kind: .rateLimited(retryAfter: nil), endpoint: "POST /v1/usage", detail: "")
        #expect(
            policy.decide(after: limited, retriesSoFar: 1, serverDelay: nil, random: 1) == .retry(after: .seconds(1)))
    }

    @Test(
        "permanent failures are never retried",
        arguments: [MetronomeError.Kind.unauthorized, .notFound, .badRequest, .decoding, .pagination]
    )
    func permanent(kind: MetronomeError.Kind) {
        let error = MetronomeError(kind: kind, endpoint: "GET /v1/customers", detail: "")
        #expect(policy.decide(after: error, retriesSoFar: 0, serverDelay: .seconds(1), random: 1) == .giveUp)
    }
}
