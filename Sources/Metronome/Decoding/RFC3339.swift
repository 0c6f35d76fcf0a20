#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Parsing and formatting of RFC 3339 timestamps, as loose as Metronome's responses are.
///
/// Metronome mixes `2021-01-01T00:00:00Z`, `2024-01-01T00:00:00.000Z` and `2024-10-01T00:00:00+00:00`
/// in one response, and other variants (0–9 fractional digits, lower-case `t`/`z`, a space as the
/// separator) are legal RFC 3339. `ISO8601DateFormatter` needs a different option set per variant,
/// so this is a small hand-written parser instead.
public enum RFC3339 {
    /// The instant, or nil when `text` is not an RFC 3339 date-time.
    public static func parse(_ text: some StringProtocol) -> Date? {
        parse(utf8: Array(text.utf8))
    }

    /// The instant `utf8` spells, or nil when it is not an RFC 3339 date-time.
    static func parse(utf8: [UInt8]) -> Date? {
        var scanner = Scanner(utf8)
        guard let year = scanner.digits(4), scanner.take(UInt8(ascii: "-")),
            let month = scanner.digits(2), scanner.take(UInt8(ascii: "-")),
            let day = scanner.digits(2),
            scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.take(UInt8(ascii: " ")),
            let hour = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
            let minute = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
            let second = scanner.digits(2)
        else { return nil }
        guard let civilDay = UTCDay(year: year, month: month, day: day),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var nanoseconds = 0
        if scanner.take(UInt8(ascii: ".")) {
            var count = 0
            while let digit = scanner.digit() {
                if count < 9 { nanoseconds = nanoseconds * 10 + digit }
                count += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanoseconds *= 10 }
        }

        var offsetSeconds = 0
        if scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z")) {
            offsetSeconds = 0
        } else if let sign = scanner.takeSign() {
            guard let offsetHours = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
                let offsetMinutes = scanner.digits(2), offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }

        let wholeSeconds = civilDay.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(wholeSeconds) + TimeInterval(nanoseconds) / 1e9)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC, whole seconds: the form every SDK sends and Metronome accepts.
    public static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86_400).rounded(.down))
        let secondsOfDay = total - days * 86_400
        let day = UTCDay(daysSinceEpoch: days)
        return "\(day)T\(UTCDay.pad(secondsOfDay / 3600, 2)):\(UTCDay.pad(secondsOfDay % 3600 / 60, 2))"
            + ":\(UTCDay.pad(secondsOfDay % 60, 2))Z"
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func digit() -> Int? {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
                return nil
            }
            defer { index += 1 }
            return Int(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func digits(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func takeSign() -> Int? {
            if take(UInt8(ascii: "+")) { return 1 }
            if take(UInt8(ascii: "-")) { return -1 }
            return nil
        }
    }
}
