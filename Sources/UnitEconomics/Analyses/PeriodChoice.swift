public import Metronome

/// How a report's days are chosen, from what a front-end was given: both bounds (kept as asked, and
/// flagged when they run past complete data), the last N days of complete data, or neither (the last
/// 30 days of complete data). The one rule behind `--from/--to/--last` in the CLI, the console's report
/// forms and MCP's `from`/`to`/`last_days`; each words the refusals with its own names for the inputs.
public enum PeriodChoice: Sendable, Equatable {
    case between(from: UTCDay, to: UTCDay)
    /// Ends on the last day every input of the report is complete through (see ``ReportPeriod/settled(completeThrough:)``).
    case lastComplete(days: Int)

    public static let defaultDays = 30

    /// Refuses `last` together with a bound, one bound without the other, a reversed period and a
    /// `last` below one day.
    public init(from: UTCDay?, to: UTCDay?, lastDays: Int?) throws(ReportRefusal) {
        if let lastDays {
            guard from == nil, to == nil else { throw ReportRefusal(.last, "give the last days or from and to, not both") }
            guard lastDays >= 1 else { throw ReportRefusal(.last, "must be at least one day") }
            self = .lastComplete(days: lastDays)
            return
        }
        switch (from, to) {
        case (nil, nil): self = .lastComplete(days: Self.defaultDays)
        case (let from?, let to?):
            guard from <= to else { throw ReportRefusal(.to, "\(to) is before the first day, \(from)") }
            self = .between(from: from, to: to)
        case (nil, _?): throw ReportRefusal(.from, "is needed with the last day")
        case (_?, nil): throw ReportRefusal(.to, "is needed with the first day")
        }
    }

    /// The period for `today` (UTC).
    public func period(today: UTCDay) throws(ReportRefusal) -> ReportPeriod {
        switch self {
        case .between(let from, let to): try ReportPeriod(from: from, to: to)
        case .lastComplete(let days): try ReportPeriod.lastComplete(days: days, today: today)
        }
    }
}
