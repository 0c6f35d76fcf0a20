import Backoff
import Testing

/// The one backoff behind every retry loop: its schedule, its cap and jitter, and the retry helper.
@Suite("Backoff")
struct BackoffTests {
    @Test func exponentialDoublesUpToTheCap() {
        let backoff = Backoff(initial: .milliseconds(250), cap: .seconds(8))
        #expect((1...8).map { backoff.delaySeconds(retry: $0, random: 0) } == [0.25, 0.5, 1, 2, 4, 8, 8, 8])
        #expect(backoff.delaySeconds(retry: 0) == 0.25, "retry numbers below 1 count as the first")
        #expect(backoff.delaySeconds(retry: 10_000) == 8, "a huge retry count stays at the cap")
    }

    @Test func powerGrowsAsTheRetryToTheExponent() {
        let backoff = Backoff(initial: .seconds(1), growth: .power(exponent: 4), cap: .seconds(600))
        #expect((1...6).map { backoff.delaySeconds(retry: $0) } == [1, 16, 81, 256, 600, 600])
    }

    @Test func jitterDrawsWithinItsRangeAndNeverPassesTheCap() {
        let backoff = Backoff(initial: .seconds(1), cap: .seconds(4), jitter: 0.5...1.5)
        #expect(backoff.delaySeconds(retry: 1, random: 0) == 0.5)
        #expect(backoff.delaySeconds(retry: 1, random: 1) == 1.5)
        #expect(backoff.delaySeconds(retry: 3, random: 1) == 4, "4 s × 1.5 is cut to the cap")
        for _ in 0..<1_000 {
            let delay = backoff.delaySeconds(retry: 2)
            #expect(delay >= 1 && delay <= 3)
        }
        #expect(backoff.delay(retry: 2, random: 0) == .seconds(1))
    }

    struct Passing: Error {}
    struct Lasting: Error {}

    @Test func retryingRetriesOnlyWhatPassesAndAtMostMaxRetriesTimes() async throws {
        let backoff = Backoff(initial: .milliseconds(1), cap: .milliseconds(2))
        var calls = 0
        var heard: [Int] = []
        let value = try await backoff.retrying(maxRetries: 5, if: { $0 is Passing }, willRetry: { _, retry, _ in heard.append(retry) }) {
            calls += 1
            if calls < 3 { throw Passing() }
            return calls
        }
        #expect(value == 3 && heard == [1, 2])

        calls = 0
        await #expect(throws: Lasting.self) {
            try await backoff.retrying(maxRetries: 5, if: { $0 is Passing }) { () async throws -> Int in
                calls += 1
                throw Lasting()
            }
        }
        #expect(calls == 1, "a failure that does not pass is thrown at once")

        calls = 0
        await #expect(throws: Passing.self) {
            try await backoff.retrying(maxRetries: 2, if: { $0 is Passing }) { () async throws -> Int in
                calls += 1
                throw Passing()
            }
        }
        #expect(calls == 3, "the first try and two retries")
    }
}
