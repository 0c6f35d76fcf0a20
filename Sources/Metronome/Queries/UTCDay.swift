#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A calendar day in UTC (proleptic Gregorian), the one day type of MeterBridge: import windows, metric
/// values, cost rows and report periods are all made of it.
///
/// Computed with the days-from-civil algorithm rather than `Calendar`, so it is exact, fast and has
/// no time-zone state to get wrong.
public struct UTCDay: Hashable, Comparable, Sendable, CustomStringConvertible, Strideable {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Nil when the date does not exist (month 13, February 30, ...).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= UTCDay.daysIn(month: month, year: year) else { return nil }
        self.daysSinceEpoch = UTCDay.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The UTC day containing `date`.
    public init(containing date: Date) {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down))
        self.daysSinceEpoch = Int((Double(seconds) / 86_400).rounded(.down))
    }

    /// The UTC day containing an instant given in microseconds since the epoch (Postgres's `timestamptz`).
    public init(containingMicroseconds microseconds: Int64) {
        let day = Int64(86_400_000_000)
        let quotient = microseconds / day
        self.daysSinceEpoch = Int(microseconds % day != 0 && microseconds < 0 ? quotient - 1 : quotient)
    }

    /// Midnight UTC at the start of the day.
    public var start: Date { Date(timeIntervalSince1970: TimeInterval(daysSinceEpoch) * 86_400) }

    public var components: (year: Int, month: Int, day: Int) { UTCDay.civil(fromDays: daysSinceEpoch) }

    public func adding(days: Int) -> UTCDay { UTCDay(daysSinceEpoch: daysSinceEpoch + days) }

    /// The 1st of the day's month.
    public var firstOfMonth: UTCDay { adding(days: 1 - components.day) }

    /// The 1st of the next month.
    public var firstOfNextMonth: UTCDay {
        let (year, month, _) = components
        return UTCDay(daysSinceEpoch: UTCDay.daysFromCivil(year: month == 12 ? year + 1 : year, month: month % 12 + 1, day: 1))
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        return "\(UTCDay.pad(y, 4))-\(UTCDay.pad(m, 2))-\(UTCDay.pad(d, 2))"
    }

    public static func < (lhs: UTCDay, rhs: UTCDay) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// Days from this day to `other` (negative when `other` is earlier).
    public func distance(to other: UTCDay) -> Int { other.daysSinceEpoch - daysSinceEpoch }
    public func advanced(by days: Int) -> UTCDay { UTCDay(daysSinceEpoch: daysSinceEpoch + days) }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's `days_from_civil`.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Howard Hinnant's `civil_from_days`.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
