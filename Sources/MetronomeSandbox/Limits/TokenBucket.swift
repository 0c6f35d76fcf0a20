/// A token bucket: `rate` tokens per second, holding at most `capacity` (one second's worth by
/// default), so a client may burst `capacity` requests and then sustain `rate`.
///
/// Pure arithmetic on caller-supplied times (seconds on any monotonic clock), so it is unit-tested
/// without waiting.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let capacity: Double
    private var tokens: Double
    private var updatedAt: Double

    public init(rate: Double, capacity: Double? = nil, now: Double) {
        precondition(rate > 0, "a bucket needs a positive rate")
        self.rate = rate
        self.capacity = max(1, capacity ?? rate)
        self.tokens = self.capacity
        self.updatedAt = now
    }

    /// Takes one token if there is one. Otherwise returns how long until one is available.
    public mutating func take(now: Double) -> TakeResult {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return .granted
        }
        return .refused(wait: (1 - tokens) / rate)
    }

    public enum TakeResult: Equatable, Sendable {
        case granted
        /// Seconds until the next token.
        case refused(wait: Double)
    }

    private mutating func refill(now: Double) {
        if now > updatedAt {
            tokens = min(capacity, tokens + (now - updatedAt) * rate)
            updatedAt = now
        }
    }
}
