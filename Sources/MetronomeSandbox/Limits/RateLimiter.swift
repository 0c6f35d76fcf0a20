import Synchronization

/// One token bucket per API token, shared by every endpoint, as Metronome's account-wide budget is.
final class RateLimiter: Sendable {
    private let rate: Double
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    /// - Parameter rate: requests per second; 0 disables limiting.
    init(rate: Double) {
        self.rate = rate
        self.origin = clock.now
    }

    var isEnabled: Bool { rate > 0 }

    /// Nil when the request may proceed, else the seconds until it could.
    func admit(token: String) -> Double? {
        guard isEnabled else { return nil }
        let now = (clock.now - origin).secondsValue
        return buckets.withLock { buckets in
            var bucket = buckets[token] ?? TokenBucket(rate: rate, now: now)
            let result = bucket.take(now: now)
            buckets[token] = bucket
            if case .refused(let wait) = result { return wait }
            return nil
        }
    }
}

extension Duration {
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
