#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Reads the delay a response asks for, as the official SDKs do: `retry-after-ms` (milliseconds)
/// first, then `Retry-After` as seconds (integer or fractional) or as an HTTP-date.
///
/// Whether Metronome sends either header is unconfirmed, so absence is the normal case. A hint longer
/// than ``longest`` (an hour), or one that does not parse, counts as no hint: the normal backoff
/// applies. Any text in gives an answer, never a trap.
public enum RetryAfter {
    /// The longest delay a server may ask for; anything longer is ignored.
    public static let longest: Double = 3_600

    /// - Parameters:
    ///   - retryAfterMilliseconds: the `retry-after-ms` header value, if present.
    ///   - retryAfter: the `Retry-After` header value, if present.
    ///   - now: the current time, for HTTP-dates.
    /// - Returns: the delay (never negative), or nil when neither header holds a usable value.
    public static func delay(retryAfterMilliseconds: String?, retryAfter: String?, now: Date) -> Duration? {
        if let text = retryAfterMilliseconds?.trimmingSpaces, let milliseconds = Double(text), milliseconds.isFinite,
            milliseconds >= 0
        {
            // Compared before converting: Int64(1e19) would trap.
            return milliseconds <= longest * 1_000 ? .milliseconds(Int64(milliseconds.rounded(.up))) : nil
        }
        guard let text = retryAfter?.trimmingSpaces, !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite, text.first != "+" {
            return seconds >= 0 && seconds <= longest ? .seconds(seconds) : nil
        }
        if let date = HTTPDate.parse(text) {
            let seconds = date.timeIntervalSince(now)
            guard seconds.isFinite, seconds <= longest else { return nil }
            return .seconds(max(0, seconds.rounded(.up)))
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars = scalars.dropFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
