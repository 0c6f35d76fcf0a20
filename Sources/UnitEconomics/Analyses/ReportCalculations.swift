public import Foundation

/// The formulas of the analyses, as pure functions over exact decimals (tested without a database).
/// Sums come first, then one division: period ratios are never means of daily ratios.
public enum ReportCalculations {
    /// `Σ cost / (Σ units / scale)`; nil (undefined, not zero) when there are no units.
    public static func costPerUnit(cost: Decimal, units: Decimal, scale: Decimal = 1) -> Decimal? {
        guard !units.isZero else { return nil }
        return cost * scale / units
    }

    /// `(revenue − cogs) / revenue × 100`; nil when revenue is zero or missing.
    public static func grossMarginPercent(revenue: Decimal?, cogs: Decimal) -> Decimal? {
        guard let revenue, !revenue.isZero else { return nil }
        return (revenue - cogs) / revenue * 100
    }

    /// `cogs / revenue × 100`; nil when revenue is zero or missing.
    public static func costPercentOfRevenue(revenue: Decimal?, cogs: Decimal) -> Decimal? {
        guard let revenue, !revenue.isZero else { return nil }
        return cogs / revenue * 100
    }

    /// The price that leaves `marginPercent` of it as gross margin: `unit_cost / (1 − m)`. Not markup.
    /// Target margins as people write them: `20,40,60` or `20%, 40%`, in percent. A bare number below 1
    /// (`0.4`) is refused as ambiguous (0.4 % or 40 %?); write `0.4%` for a margin that small.
    public static func parseTargetMargins(_ text: String) throws(ReportRefusal) -> [Decimal] {
        var margins: [Decimal] = []
        for part in text.split(separator: ",") {
            var item = part.trimmingCharacters(in: .whitespaces)
            let explicitPercent = item.hasSuffix("%")
            if explicitPercent { item = String(item.dropLast()).trimmingCharacters(in: .whitespaces) }
            guard let value = DecimalMath.parse(item) else {
                throw ReportRefusal(.targetMargins, "\(part.trimmingCharacters(in: .whitespaces)) is not a percentage (write e.g. 20,40,60 or 20%,40%)")
            }
            if !explicitPercent, value > 0, value < 1 {
                throw ReportRefusal(
                    .targetMargins,
                    "\(item) is read as \(item) %, which looks like a fraction: write \(DecimalMath.text(value * 100)) for \(DecimalMath.text(value * 100)) %, or \(item)% if you mean it")
            }
            guard value >= 0, value < 100 else {
                throw ReportRefusal(.targetMargins, "\(item)% is not a margin: a target margin is at least 0% and below 100%")
            }
            margins.append(value)
        }
        guard !margins.isEmpty else { throw ReportRefusal(.targetMargins, "needs at least one margin, e.g. 20,40,60") }
        return margins
    }

    public static func priceForMargin(unitCost: Decimal, marginPercent: Decimal) throws(ReportRefusal) -> Decimal {
        guard marginPercent >= 0, marginPercent < 100 else {
            throw ReportRefusal("a target margin must be at least 0% and below 100% (got \(marginPercent)%)")
        }
        return unitCost / (1 - marginPercent / 100)
    }

    /// Growth of a metric between two equal windows.
    public enum Growth: Sendable, Equatable {
        /// `(current − previous) / previous × 100`.
        case percent(Decimal)
        /// The previous window was zero and this one is not.
        case new
        /// Both windows are zero.
        case none

        public init(current: Decimal, previous: Decimal) {
            if previous.isZero {
                self = current.isZero ? .none : .new
            } else {
                self = .percent((current - previous) / previous * 100)
            }
        }

        public var text: String? {
            switch self {
            case .percent(let value): ReportNumber.percent(value)
            case .new: "new"
            case .none: nil
            }
        }
    }

    /// The accepted `--scale` values ("per thousand requests").
    public static let scales: [Decimal] = [1, 100, 1_000, 1_000_000, 1_000_000_000]
}
