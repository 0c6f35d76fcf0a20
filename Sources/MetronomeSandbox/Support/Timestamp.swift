/// An instant as Unix seconds plus nanoseconds, with the RFC 3339 parsing the sandbox validates
/// requests with and the formatting variants it answers in.
public struct Timestamp: Hashable, Comparable, Sendable {
    public let seconds: Int64
    public let nanoseconds: Int

    public init(seconds: Int64, nanoseconds: Int = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public init(day: CivilDay) {
        self.init(seconds: day.unixSeconds)
    }

    /// True at exactly 00:00:00.000000000 UTC.
    public var isMidnightUTC: Bool { nanoseconds == 0 && seconds % 86_400 == 0 }

    public var day: CivilDay { CivilDay(containingUnixSeconds: seconds) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// Parses an RFC 3339 date-time (any fractional precision, `Z` or a numeric offset).
    public static func parse(_ text: some StringProtocol) -> Timestamp? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ options: String) -> Bool {
            guard index < bytes.count, options.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let dayOfMonth = number(2),
            expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2), let day = CivilDay(year: year, month: month, day: dayOfMonth),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        var nanoseconds = 0
        if expect(".") {
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 9 { nanoseconds = nanoseconds * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanoseconds *= 10 }
        }
        var offset = 0
        if expect("Zz") {
            offset = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "+") ? 1 : -1
            index += 1
            guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2) else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = day.unixSeconds + Int64(hour * 3600 + minute * 60 + second - offset)
        return Timestamp(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// RFC 3339 in one of the styles Metronome is seen to use.
    public func formatted(_ style: TimestampStyle = .zulu) -> String {
        let shift: Int64 = style == .plusOneHour ? 3600 : 0
        let local = seconds + shift
        let day = CivilDay(containingUnixSeconds: local)
        let secondOfDay = Int(local - day.unixSeconds)
        var text =
            "\(day)T\(CivilDay.pad(secondOfDay / 3600, 2)):\(CivilDay.pad(secondOfDay % 3600 / 60, 2))"
            + ":\(CivilDay.pad(secondOfDay % 60, 2))"
        switch style {
        case .zulu: text += "Z"
        case .millisecondsZulu: text += "." + CivilDay.pad(nanoseconds / 1_000_000, 3) + "Z"
        case .microsecondsZulu: text += "." + CivilDay.pad(nanoseconds / 1_000, 6) + "Z"
        case .zeroOffset: text += "+00:00"
        case .plusOneHour: text += "+01:00"
        }
        return text
    }
}
