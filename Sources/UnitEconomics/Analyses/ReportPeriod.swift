public import Metronome

/// The UTC days a report covers, both ends inclusive (`--from/--to` or `--last 30d`).
public struct ReportPeriod: Sendable, Equatable, CustomStringConvertible {
    public var from: UTCDay
    public var to: UTCDay
    /// Asked for as "the last N days" (``lastComplete(days:today:)``): the report ends it on the last
    /// day its inputs are complete through, so no partial day weighs on its numbers unasked.
    public private(set) var followsCompleteData = false

    public init(from: UTCDay, to: UTCDay) throws(ReportRefusal) {
        guard from <= to else { throw ReportRefusal("the period starts (\(from)) after it ends (\(to))") }
        self.from = from
        self.to = to
    }

    /// The last `days` days ending on `today`, inclusive.
    public init(lastDays days: Int, endingOn today: UTCDay) throws(ReportRefusal) {
        guard days >= 1 else { throw ReportRefusal(.last, "needs at least one day") }
        try self.init(from: today.advanced(by: -(days - 1)), to: today)
    }

    /// The last `days` days of complete data. Until a report knows its inputs, the period ends yesterday
    /// (today is never over); each report then ends it on the last day all its inputs are complete
    /// through (``settled(completeThrough:)``). An explicit `--to` past that day is kept, and flagged.
    public static func lastComplete(days: Int, today: UTCDay) throws(ReportRefusal) -> ReportPeriod {
        var period = try ReportPeriod(lastDays: days, endingOn: today.advanced(by: -1))
        period.followsCompleteData = true
        return period
    }

    /// The period a report covers once it knows through which day its inputs are complete: a
    /// ``lastComplete(days:today:)`` period moves back to end on `through` (keeping its length); any
    /// other period is kept as asked.
    public func settled(completeThrough through: UTCDay?) -> ReportPeriod {
        guard followsCompleteData, let through, through < to else { return self }
        let shift = through.distance(to: to)
        var moved = ReportPeriod(unchecked: from.advanced(by: -shift), to: through)
        moved.followsCompleteData = true
        return moved
    }

    /// Parses `--last` values: `30d`, `4w` or a bare number of days.
    public static func parseLast(_ text: String) -> Int? {
        let lowered = text.lowercased()
        if lowered.hasSuffix("d") { return Int(lowered.dropLast()).flatMap { $0 > 0 ? $0 : nil } }
        if lowered.hasSuffix("w") { return Int(lowered.dropLast()).flatMap { $0 > 0 ? $0 * 7 : nil } }
        return Int(lowered).flatMap { $0 > 0 ? $0 : nil }
    }

    public var dayCount: Int { from.distance(to: to) + 1 }

    /// The period of the same length just before this one.
    public var previous: ReportPeriod {
        let length = dayCount
        return ReportPeriod(unchecked: from.advanced(by: -length), to: from.advanced(by: -1))
    }

    private init(unchecked from: UTCDay, to: UTCDay) {
        self.from = from
        self.to = to
    }

    public var days: [UTCDay] { (0..<dayCount).map { from.advanced(by: $0) } }

    public var description: String { "\(from) to \(to)" }
}

/// A report that would print a wrong number and refuses instead (mixed currencies, a summed gauge,
/// cost per unit of zero units, …). The description says why and what to do.
/// An input of a report, as each front-end names it: `--revenue-metric` in the CLI, the form field
/// `revenue-metric` in the console, the argument `"revenue_metric"` in MCP.
public enum ReportParameter: String, Sendable, Equatable {
    case from, to, last, scale, metrics
    case revenueMetric = "revenue-metric"
    case targetMargins = "target-margins"
}

/// A report refused rather than wrong. When an input is at fault, `parameter` says which, and each
/// front-end names it in its own terms (``message(naming:)``).
public struct ReportRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: ReportParameter?
    public var reason: String

    public init(_ reason: String) {
        self.parameter = nil
        self.reason = reason
    }

    public init(_ parameter: ReportParameter, _ reason: String) {
        self.parameter = parameter
        self.reason = reason
    }

    /// The message, with `name(parameter)` naming the input as the reader typed it.
    public func message(naming name: (ReportParameter) -> String) -> String {
        parameter.map { "\(name($0)): \(reason)" } ?? reason
    }

    /// The message with the input by its plain name (`revenue-metric`).
    public var description: String { message(naming: \.rawValue) }
}
