/// What a 429 says about when to come back. Real Metronome 429s are not known to carry
/// `Retry-After` at all, so it can be switched off.
public enum RetryAfterMode: String, Hashable, Sendable, CaseIterable {
    /// No header.
    case off
    /// `Retry-After: <whole seconds, rounded up, at least 1>`.
    case seconds
    /// `Retry-After: <IMF-fixdate>`.
    case httpDate = "http-date"
    /// `retry-after-ms: <milliseconds>` (the Stainless SDK convention) alongside `Retry-After` seconds.
    case milliseconds = "ms"
}
