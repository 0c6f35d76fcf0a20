public import Backoff

extension Backoff {
    /// The delay before a failed job runs again: `attempt⁴` seconds, ±10 % jitter, at most 10 minutes.
    ///
    /// Attempt 1 waits about 1 s, 2 about 16 s, 3 about 81 s, 4 about 4.3 min, then 10 min each. The jitter
    /// spreads retries of jobs that failed together (one outage) so they do not come back as one wave.
    public static let jobRetry = Backoff(initial: .seconds(1), growth: .power(exponent: 4), cap: .seconds(600), jitter: 0.9...1.1)

    /// A worker's next claim after `failures` failed claims in a row: 0.1 s doubling to 30 s, with full
    /// jitter (half to all of it) so that workers do not retry in step.
    public static let claimRetry = Backoff(initial: .milliseconds(100), cap: .seconds(30), jitter: 0.5...1)
}
