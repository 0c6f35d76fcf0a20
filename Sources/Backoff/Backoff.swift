import Foundation

/// How long to wait before trying again: the one backoff of every retry loop (a Metronome request, a
/// job's next attempt, a worker's claim, a page commit, an outcome record, the LISTEN connection).
///
/// Retry `n` (the first retry is 1) waits `initial × growth(n)`, at most `cap`, times a jitter factor
/// drawn uniformly from `jitter` (and again at most `cap`). Jitter spreads out the retries of callers
/// that failed together, so that they do not come back as one wave. Pure: the caller may pass the
/// random draw, so every schedule is testable.
public struct Backoff: Sendable, Hashable {
    /// How the wait grows with the retry's number `n`.
    public enum Growth: Sendable, Hashable {
        /// `base^(n−1)`: 1, 2, 4, 8… for a base of 2.
        case exponential(base: Double)
        /// `n^exponent`: 1, 16, 81, 256… for an exponent of 4.
        case power(exponent: Double)
    }

    public var initial: Duration
    public var growth: Growth
    public var cap: Duration
    public var jitter: ClosedRange<Double>

    public init(initial: Duration, growth: Growth = .exponential(base: 2), cap: Duration, jitter: ClosedRange<Double> = 1...1) {
        precondition(initial >= .zero && cap >= .zero && jitter.lowerBound >= 0)
        self.initial = initial
        self.growth = growth
        self.cap = cap
        self.jitter = jitter
    }

    /// The wait before retry `retry` (1-based; lower counts as 1). `random` in 0...1 picks the jitter factor.
    public func delay(retry: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        .seconds(delaySeconds(retry: retry, random: random))
    }

    /// ``delay(retry:random:)`` in seconds, for a caller that stores it (a job's next run in SQL).
    public func delaySeconds(retry: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let n = Double(min(max(retry, 1), 64))
        let multiplier =
            switch growth {
            case .exponential(let base): pow(base, n - 1)
            case .power(let exponent): pow(n, exponent)
            }
        let capSeconds = cap.seconds
        let base = min(initial.seconds * multiplier, capSeconds)
        let draw = min(max(random, 0), 1)
        let factor = jitter.lowerBound + (jitter.upperBound - jitter.lowerBound) * draw
        return min(base * factor, capSeconds)
    }

    /// Runs `operation`, and after each failure that `shouldRetry` accepts waits ``delay(retry:random:)``
    /// and runs it again, at most `maxRetries` times; other failures, and the last one, are thrown.
    /// `willRetry` hears of each retry first (to log it). A cancelled task stops waiting and throws.
    public func retrying<T>(
        maxRetries: Int, if shouldRetry: (any Error) -> Bool, willRetry: (_ error: any Error, _ retry: Int, _ delay: Duration) -> Void = { _, _, _ in },
        _ operation: () async throws -> T
    ) async throws -> T {
        var retries = 0
        while true {
            do {
                return try await operation()
            } catch where retries < maxRetries && shouldRetry(error) {
                retries += 1
                let wait = delay(retry: retries)
                willRetry(error, retries, wait)
                try await Task.sleep(for: wait)
            }
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
