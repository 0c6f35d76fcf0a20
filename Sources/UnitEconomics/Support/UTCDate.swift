public import Metronome
import Postgres

/// A UTC calendar day, stored as days since 1970-01-01. Cost and business metrics are both kept per UTC day.
public struct UTCDate: Hashable, Comparable, Sendable, CustomStringConvertible, Strideable {
    public let daysSinceEpoch: Int64

    public init(daysSinceEpoch: Int64) { self.daysSinceEpoch = daysSinceEpoch }

    public init(year: Int64, month: Int64, day: Int64) {
        daysSinceEpoch = GregorianDays.days(fromCivil: year, month, day)
    }

    /// Parses `YYYY-MM-DD` (a valid calendar date) or returns nil.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = CivilCalendar.digits(bytes, 0, 4), let month = CivilCalendar.digits(bytes, 5, 2),
            let day = CivilCalendar.digits(bytes, 8, 2), CivilCalendar.isValid(year, month, day)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The UTC day containing `microseconds` since the epoch.
    public init(containingMicroseconds microseconds: Int64) {
        daysSinceEpoch = CivilCalendar.floorDiv(microseconds, CivilCalendar.microsecondsPerDay)
    }

    public var description: String {
        let (year, month, day) = GregorianDays.civil(fromDays: daysSinceEpoch)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: UTCDate, rhs: UTCDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }
    public func distance(to other: UTCDate) -> Int64 { other.daysSinceEpoch - daysSinceEpoch }
    public func advanced(by n: Int64) -> UTCDate { UTCDate(daysSinceEpoch: daysSinceEpoch + n) }
}

/// Calendar checks and arithmetic beside ``GregorianDays``.
enum CivilCalendar {
    static let microsecondsPerDay: Int64 = 86_400_000_000

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    static func digits(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return value
    }

    static func isValid(_ year: Int64, _ month: Int64, _ day: Int64) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[Int(month - 1)]
    }
}

extension UTCDate {
    /// The same day as the importer's `UTCDay`, without going through text.
    public init(_ day: UTCDay) { self.init(daysSinceEpoch: Int64(day.daysSinceEpoch)) }
}

extension UTCDay {
    /// The same day as an analysis's `UTCDate`, without going through text.
    public init(_ date: UTCDate) { self.init(daysSinceEpoch: Int(date.daysSinceEpoch)) }
}
