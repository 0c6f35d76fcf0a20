#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A `[start, end)` range of whole UTC days, at least one day long.
///
/// `POST /v1/usage` answers 400 to bounds that are not exactly 00:00:00 UTC or that span less than a
/// day (reported by three integrators, not documented), so the client only builds usage queries from
/// this type: an invalid window fails here, before any request is sent. Breakdown queries use it too,
/// because MeterBridge's revenue windows follow the same rule.
public struct DayWindow: Hashable, Sendable, CustomStringConvertible {
    /// The first day, inclusive.
    public let firstDay: UTCDay
    /// The day after the last one, exclusive.
    public let endDay: UTCDay

    /// A window from `first` through `last`, both inclusive.
    public init(from first: UTCDay, through last: UTCDay) throws(DayWindowError) {
        try self.init(firstDay: first, endDay: last.adding(days: 1))
    }

    /// A window from `firstDay` (inclusive) to `endDay` (exclusive).
    public init(firstDay: UTCDay, endDay: UTCDay) throws(DayWindowError) {
        guard endDay > firstDay else { throw DayWindowError.shorterThanOneDay }
        self.firstDay = firstDay
        self.endDay = endDay
    }

    /// Validates instants as the API does: both at 00:00:00 UTC and at least one day apart.
    public init(startingOn: Date, endingBefore: Date) throws(DayWindowError) {
        guard let first = DayWindow.midnightDay(startingOn) else {
            throw DayWindowError.notMidnightUTC(bound: "starting_on")
        }
        guard let end = DayWindow.midnightDay(endingBefore) else {
            throw DayWindowError.notMidnightUTC(bound: "ending_before")
        }
        try self.init(firstDay: first, endDay: end)
    }

    public var startingOn: Date { firstDay.start }
    public var endingBefore: Date { endDay.start }
    public var dayCount: Int { endDay.daysSinceEpoch - firstDay.daysSinceEpoch }
    public var lastDay: UTCDay { endDay.adding(days: -1) }

    /// Consecutive windows of at most `maxDays` days covering this one, in order.
    public func split(maxDays: Int) -> [DayWindow] {
        precondition(maxDays >= 1, "maxDays must be positive")
        var result: [DayWindow] = []
        var start = firstDay
        while start < endDay {
            let end = UTCDay(daysSinceEpoch: min(start.daysSinceEpoch + maxDays, endDay.daysSinceEpoch))
            result.append(DayWindow(uncheckedFirst: start, end: end))
            start = end
        }
        return result
    }

    public var description: String { "[\(firstDay), \(endDay))" }

    private init(uncheckedFirst: UTCDay, end: UTCDay) {
        self.firstDay = uncheckedFirst
        self.endDay = end
    }

    private static func midnightDay(_ date: Date) -> UTCDay? {
        let seconds = date.timeIntervalSince1970
        guard seconds == seconds.rounded(.down) else { return nil }
        let day = UTCDay(containing: date)
        return day.start == date ? day : nil
    }
}
