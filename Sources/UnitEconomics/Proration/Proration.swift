public import Metronome
public import Foundation

/// Spreads a cost over the UTC days its charge period `[start, end)` overlaps, by the share of the
/// period that falls in each day.
///
/// Shares are rounded half away from zero to `scale` decimal places and the rounding remainder goes to
/// the last day, so the shares of one row add up to its cost exactly: totals are preserved to the last
/// digit. The arithmetic is on 128-bit integers (``ExactAmount``), exact and allocation-free.
public enum Proration {
    /// A day's part of a cost.
    public struct DayShare: Sendable, Equatable {
        public var day: UTCDay
        public var amount: Decimal
        public init(day: UTCDay, amount: Decimal) {
            self.day = day
            self.amount = amount
        }
    }

    /// Shares are rounded to at least this many decimal places (more when the cost itself has more).
    public static let minimumScale = 10

    /// The first and last UTC day of `[start, end)` (microseconds). A zero-length period (a one-time
    /// charge) belongs to the day of its start.
    public static func dayRange(startMicros: Int64, endMicros: Int64) -> ClosedRange<UTCDay> {
        let first = UTCDay(containingMicroseconds: startMicros)
        let last = endMicros > startMicros ? UTCDay(containingMicroseconds: endMicros - 1) : first
        return first...last
    }

    /// How `[start, end)` falls on UTC days.
    struct Split {
        let startMicros: Int64
        let endMicros: Int64
        let firstDay: Int64
        let dayCount: Int

        init(startMicros: Int64, endMicros: Int64) {
            self.startMicros = startMicros
            self.endMicros = endMicros
            let range = Proration.dayRange(startMicros: startMicros, endMicros: endMicros)
            firstDay = Int64(range.lowerBound.daysSinceEpoch)
            dayCount = range.upperBound.daysSinceEpoch - range.lowerBound.daysSinceEpoch + 1
        }

        var duration: Int64 { endMicros - startMicros }

        /// The day `index` days after the first one.
        func day(_ index: Int) -> UTCDay { UTCDay(daysSinceEpoch: Int(firstDay) + index) }

        /// The microseconds of the period that fall on day `index`.
        func micros(onDay index: Int) -> Int64 {
            let dayStart = (firstDay + Int64(index)) * CivilCalendar.microsecondsPerDay
            return min(endMicros, dayStart + CivilCalendar.microsecondsPerDay) - max(startMicros, dayStart)
        }
    }

    /// One amount's shares, taken day by day in order.
    struct Shares {
        private let magnitude: UInt128
        private let negative: Bool
        private let scale: Int
        /// Trailing zeros are dropped from shares, but never below the amount's own scale.
        private let displayScale: Int
        private let duration: UInt128
        private var allocated: UInt128 = 0

        init(_ amount: ExactAmount, duration: Int64, minimumScale: Int = Proration.minimumScale) {
            let rescaled = amount.rescaled(to: max(minimumScale, amount.scale))
            magnitude = rescaled.magnitude
            negative = amount.negative
            scale = rescaled.scale
            displayScale = amount.scale
            self.duration = UInt128(duration)
        }

        /// The share of a day holding `micros` of the period; the last day takes what is left.
        mutating func next(micros: Int64, isLast: Bool) -> ExactAmount {
            var share: UInt128
            var shareNegative = negative
            if isLast {
                if magnitude >= allocated {
                    share = magnitude - allocated
                } else {
                    share = allocated - magnitude
                    shareNegative.toggle()
                }
            } else {
                let part = UInt128(micros)
                let quotient: UInt128
                let remainder: UInt128
                if magnitude <= UInt128(UInt64.max) {
                    let product = magnitude * part  // < 2^64 · 2^63
                    (quotient, remainder) = product.quotientAndRemainder(dividingBy: duration)
                } else {
                    (quotient, remainder) = duration.dividingFullWidth(magnitude.multipliedFullWidth(by: part))
                }
                share = remainder >= duration - remainder ? quotient + 1 : quotient
                allocated += share
            }
            var shareScale = scale
            while shareScale > displayScale, share % 10 == 0, share != 0 {
                share /= 10
                shareScale -= 1
            }
            if share == 0 { shareScale = displayScale }
            return ExactAmount(magnitude: share, negative: shareNegative, scale: shareScale)
        }
    }

    /// `amount` split across the days of `[start, end)`; the shares add up to `amount` exactly.
    public static func prorate(
        _ amount: Decimal, startMicros: Int64, endMicros: Int64, scale: Int = minimumScale
    ) -> [DayShare] {
        guard let exact = ExactAmount(amount) else { preconditionFailure("\(amount) is out of range for a cost") }
        let split = Split(startMicros: startMicros, endMicros: endMicros)
        guard split.dayCount > 1 else { return [DayShare(day: split.day(0), amount: amount)] }
        var shares = Shares(exact, duration: split.duration, minimumScale: scale)
        return (0..<split.dayCount).map { index in
            let share = shares.next(micros: split.micros(onDay: index), isLast: index == split.dayCount - 1)
            return DayShare(day: split.day(index), amount: share.decimal)
        }
    }
}
