public import Metronome
public import Foundation

/// A finished report: its rows as exact decimal text, plus the notes and completeness a reader needs.
/// Executables render it as a table, CSV or JSON; nothing here knows about terminals.
public struct ReportOutput: Sendable {
    /// One table of the report (most reports have one; `portfolio` has a summary and a daily series).
    public struct Section: Sendable {
        public var title: String
        public var columns: [String]
        /// Cells as text; nil is "undefined" (shown empty in tables and CSV, `null` in JSON).
        public var rows: [[String?]]
        public init(title: String, columns: [String], rows: [[String?]]) {
            self.title = title
            self.columns = columns
            self.rows = rows
        }
    }

    public var report: String
    public var period: ReportPeriod
    public var sections: [Section]
    /// Sentences that qualify the numbers (formula used, refused totals, allocation notes).
    public var notes: [String]
    public var completeness: ReportCompleteness
    /// Extra top-level facts for JSON (`currency`, `fastest_growing`, …).
    public var facts: [(key: String, value: String?)]

    /// The currency of the report's money columns, when it has any.
    public var currency: String? { facts.first { $0.key == "currency" }?.value ?? nil }

    /// What the report's first line says: its first section's title, its currency and its period.
    public var heading: String {
        let title = sections.first?.title ?? report
        return currency.map { "\(title) in \($0), \(period)" } ?? "\(title), \(period)"
    }
    public var chart: ChartData?

    public init(
        report: String, period: ReportPeriod, sections: [Section], notes: [String] = [],
        completeness: ReportCompleteness, facts: [(key: String, value: String?)] = [], chart: ChartData? = nil
    ) {
        self.report = report
        self.period = period
        self.sections = sections
        self.notes = notes
        self.completeness = completeness
        self.facts = facts
        self.chart = chart
    }

    /// The first day of the period whose data is not complete yet; nil when the whole period is.
    public var firstIncompleteDay: UTCDay? {
        guard let through = completeness.through else { return period.from }
        return through < period.to ? max(through.advanced(by: 1), period.from) : nil
    }

    /// What every front-end shows above a report whose period runs past its complete data: its totals
    /// will still grow or change.
    public var partialPeriodWarning: String? {
        guard let first = firstIncompleteDay else { return nil }
        let days = first.distance(to: period.to) + 1
        let through = completeness.through.map { "data is complete through \($0)" } ?? "no day of its data is complete yet"
        let advice = completeness.through.map { " For final numbers, end the period on or before \($0)." } ?? ""
        return "Partial period: \(through), so the \(days) day(s) from \(first) to \(period.to) may still change.\(advice)"
    }
}

/// Through which day a report's inputs are complete.
public struct ReportCompleteness: Sendable, Equatable, CustomStringConvertible {
    /// Each input (`usage "API calls"`, `cost "COGS"`) and the last day it is complete through (nil: not yet).
    public var parts: [(name: String, through: UTCDay?)]

    public init(parts: [(name: String, through: UTCDay?)]) { self.parts = parts }

    /// The earliest of the parts: every number up to this day is final.
    public var through: UTCDay? {
        guard !parts.isEmpty, parts.allSatisfy({ $0.through != nil }) else { return nil }
        return parts.compactMap(\.through).min()
    }

    public var description: String {
        let detail = parts.map { "\($0.name) through \($0.through?.description ?? "none")" }.joined(separator: ", ")
        return "Data complete through \(through?.description ?? "no day yet") (\(detail)); Metronome data of the "
            + "last ~35 days and cloud cost of the last ~2 days may still change."
    }

    public static func == (lhs: ReportCompleteness, rhs: ReportCompleteness) -> Bool {
        lhs.parts.map(\.name) == rhs.parts.map(\.name) && lhs.parts.map(\.through) == rhs.parts.map(\.through)
    }
}

/// Number formatting for reports: amounts exactly as summed, ratios rounded and labeled.
public enum ReportNumber {
    /// Money and units: exact.
    public static func amount(_ value: Decimal) -> String { DecimalMath.text(value) }
    /// Cost per unit and prices: 8 decimal places, more for tiny values so that at least 4 significant
    /// digits show (a cost of 5.2e-11 per request is not 0).
    public static func unitCost(_ value: Decimal?) -> String? {
        value.map { value in
            var scale = 8
            var smallest = Decimal(sign: .plus, exponent: -5, significand: 1)  // 4 digits at 8 places
            let magnitude = abs(value)
            while !magnitude.isZero, magnitude < smallest, scale < 38 {
                scale += 1
                smallest /= 10
            }
            return DecimalMath.text(DecimalMath.rounded(value, scale: scale))
        }
    }
    /// Percentages: 2 decimal places.
    public static func percent(_ value: Decimal?) -> String? { value.map { DecimalMath.text(DecimalMath.rounded($0, scale: 2)) } }
}
