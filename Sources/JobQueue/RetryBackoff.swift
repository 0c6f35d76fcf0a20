/// The delay before a failed job runs again: `attempt⁴` seconds, ±10 % jitter, at most 10 minutes.
///
/// Attempt 1 waits about 1 s, 2 about 16 s, 3 about 81 s, 4 about 4.3 min, then 10 min each. The jitter
/// spreads retries of jobs that failed together (one outage) so they do not come back as one wave.
public struct RetryBackoff: Sendable {
    public var cap: Double
    public var jitter: Double

    public init(capSeconds: Double = 600, jitter: Double = 0.1) {
        self.cap = capSeconds
        self.jitter = jitter
    }

    /// Seconds to wait after failed attempt `attempt` (1-based). `unit` is a random number in [0, 1).
    public func delaySeconds(afterAttempt attempt: Int, unit: Double = Double.random(in: 0..<1)) -> Double {
        let base = min(pow4(Double(max(attempt, 1))), cap)
        let factor = 1 + jitter * (2 * unit - 1)
        return min(base * factor, cap)
    }

    private func pow4(_ value: Double) -> Double { value * value * value * value }
}
