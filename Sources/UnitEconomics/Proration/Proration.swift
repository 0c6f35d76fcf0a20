public import Foundation

/// Spreads a cost over the UTC days its charge period `[start, end)` overlaps, by the share of the
/// period that falls in each day.
///
/// Shares are rounded to `scale` decimal places and the rounding remainder goes to the last day, so the
/// shares of one row add up to its cost exactly: totals are preserved to the last digit.
public enum Proration {
    /// A day's part of a cost.
    public struct DayShare: Sendable, Equatable {
        public var day: UTCDate
        public var amount: Decimal
        public init(day: UTCDate, amount: Decimal) {
            self.day = day
            self.amount = amount
        }
    }

    /// Shares are rounded to at least this many decimal places (more when the cost itself has more).
    public static let minimumScale = 10

    /// The first and last UTC day of `[start, end)` (microseconds). A zero-length period (a one-time
    /// charge) belongs to the day of its start.
    public static func dayRange(startMicros: Int64, endMicros: Int64) -> ClosedRange<UTCDate> {
        let first = UTCDate(containingMicroseconds: startMicros)
        let last = endMicros > startMicros ? UTCDate(containingMicroseconds: endMicros - 1) : first
        return first...last
    }

    /// The microseconds of `[start, end)` that fall on each day it overlaps.
    public static func overlaps(startMicros: Int64, endMicros: Int64) -> [(day: UTCDate, micros: Int64)] {
        let range = dayRange(startMicros: startMicros, endMicros: endMicros)
        guard endMicros > startMicros else { return [(range.lowerBound, 0)] }
        return (range.lowerBound.daysSinceEpoch...range.upperBound.daysSinceEpoch).map { day in
            let dayStart = day * CivilCalendar.microsecondsPerDay
            let dayEnd = dayStart + CivilCalendar.microsecondsPerDay
            return (UTCDate(daysSinceEpoch: day), min(endMicros, dayEnd) - max(startMicros, dayStart))
        }
    }

    /// `amount` split across the days of `[start, end)`; the shares add up to `amount` exactly.
    public static func prorate(
        _ amount: Decimal, startMicros: Int64, endMicros: Int64, scale: Int = minimumScale
    ) -> [DayShare] {
        let parts = overlaps(startMicros: startMicros, endMicros: endMicros)
        guard parts.count > 1 else { return [DayShare(day: parts[0].day, amount: amount)] }
        let duration = Decimal(endMicros - startMicros)
        var shares: [DayShare] = []
        shares.reserveCapacity(parts.count)
        var allocated = Decimal.zero
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1 {
                shares.append(DayShare(day: part.day, amount: amount - allocated))
            } else {
                let share = DecimalMath.rounded(amount * Decimal(part.micros) / duration, scale: scale)
                allocated += share
                shares.append(DayShare(day: part.day, amount: share))
            }
        }
        return shares
    }
}
