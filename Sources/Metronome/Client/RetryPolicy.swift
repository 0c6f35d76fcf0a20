import Backoff
/// When and how long to wait before retrying one request: the first of two retry layers. This one
/// retries a request within one attempt of a job; the job queue retries the job, from its checkpoint.
///
/// Pure: the caller passes the random jitter factor in, so the schedule is unit-testable.
public struct RetryPolicy: Hashable, Sendable {
    /// Retries after the first attempt (so at most `maxRetries + 1` requests).
    public var maxRetries: Int
    /// Backoff before the first retry; doubled for each further retry.
    public var initialBackoff: Duration
    /// The cap on computed backoff.
    public var maxBackoff: Duration
    /// The longest server-requested delay (`Retry-After`, `retry-after-ms`) honoured inside one
    /// request. A longer one ends the policy at once: holding a worker that long is the job layer's
    /// call (it snoozes the job and pushes the shared limiter back), not the client's.
    public var maxServerDelay: Duration
    /// The backoff is multiplied by a factor drawn from this range, so workers that failed together
    /// do not retry together.
    public var jitter: ClosedRange<Double>

    public init(
        maxRetries: Int = 3,
        initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(8),
        maxServerDelay: Duration = .seconds(60),
        jitter: ClosedRange<Double> = 0.75...1.0
    ) {
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxServerDelay = maxServerDelay
        self.jitter = jitter
    }

    /// No retries at all: every failure surfaces immediately.
    public static let none = RetryPolicy(maxRetries: 0)

    public enum Decision: Hashable, Sendable {
        case retry(after: Duration)
        case giveUp
    }

    /// - Parameters:
    ///   - error: the classified failure of the attempt that just ended.
    ///   - retriesSoFar: how many retries were already made (0 after the first attempt).
    ///   - serverDelay: the delay the response asked for, if any.
    ///   - random: a value in `0...1` choosing the jitter factor.
    public func decide(
        after error: MetronomeError,
        retriesSoFar: Int,
        serverDelay: Duration?,
        random: Double
    ) -> Decision {
        guard error.isRetryable, retriesSoFar < maxRetries else { return .giveUp }
        if let serverDelay {
            guard serverDelay <= maxServerDelay else { return .giveUp }
            return .retry(after: max(serverDelay, .zero))
        }
        return .retry(after: backoff(retriesSoFar: retriesSoFar, random: random))
    }

    /// `min(initialBackoff × 2^retriesSoFar, maxBackoff) × jitter`.
    public func backoff(retriesSoFar: Int, random: Double) -> Duration {
        Backoff(initial: initialBackoff, cap: maxBackoff, jitter: jitter).delay(retry: max(retriesSoFar, 0) + 1, random: random)
    }
}
