/// The pacing hook: every request the client sends, retries included, first awaits
/// ``awaitPermission()``.
///
/// Metronome's request budget (about 8 requests/s) is shared by everything an account does, so
/// pacing cannot live inside one client. The importer implements this with a limiter held in
/// Postgres and shared by every worker of a connection; tools and tests use ``UnpacedRequests``.
public protocol RequestPacer: Sendable {
    /// Returns when one more request may be sent; throws (for example on cancellation) to abandon it.
    func awaitPermission() async throws

    /// Called when Metronome answered 429, with the delay it asked for if any, so a shared limiter
    /// can push every worker back, not only the one that was refused.
    func didReceiveRateLimit(retryAfter: Duration?) async
}

extension RequestPacer {
    public func didReceiveRateLimit(retryAfter: Duration?) async {}
}
