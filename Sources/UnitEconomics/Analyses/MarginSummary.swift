public import Foundation

/// The margin at a glance: revenue, COGS and gross margin of a period against the period before, the
/// customers with the lowest margin, and how much of the cost is tagged with a customer, tagged with
/// no known customer (unmatched) or shared. What the console's Unit economics page opens with; every
/// number is the margin report's, for the same inputs and periods.
public struct MarginSummary: Sendable {
    public struct Totals: Sendable, Equatable {
        public var revenue: Decimal
        public var cogs: Decimal
        public var grossProfit: Decimal { revenue - cogs }
        /// Nil where revenue is 0 (undefined, not 0 %).
        public var marginPercent: Decimal? { ReportCalculations.grossMarginPercent(revenue: revenue, cogs: cogs) }
    }

    public struct Customer: Sendable, Equatable {
        public var label: String
        public var customerID: String
        public var revenue: Decimal
        public var cogs: Decimal
        public var marginPercent: Decimal? { ReportCalculations.grossMarginPercent(revenue: revenue, cogs: cogs) }
    }

    /// The cost report's cost in the period, by whom it is attributed to.
    public struct CostSplit: Sendable, Equatable {
        /// Tagged with a customer MeterBridge knows.
        public var tagged: Decimal
        /// Tagged with a value that names no customer, or several.
        public var unmatched: Decimal
        /// Without a customer tag.
        public var shared: Decimal
        public var total: Decimal { tagged + unmatched + shared }

        /// A part's share of the total, in percent; nil without cost.
        public func percent(_ part: Decimal) -> Decimal? {
            total.isZero ? nil : part / total * 100
        }
    }

    public var revenueMetric: String
    public var costReport: String
    public var currency: String
    public var period: ReportPeriod
    public var previousPeriod: ReportPeriod
    public var current: Totals
    public var previous: Totals
    /// Customers with revenue, lowest gross margin first.
    public var lowestMargin: [Customer]
    /// How many customers had revenue in the period.
    public var customersWithRevenue: Int
    /// Customers with cost but no revenue (their margin is undefined, their cost is real).
    public var customersWithoutRevenue: [Customer]
    public var cost: CostSplit
    public var completeness: ReportCompleteness
    public var partialPeriodWarning: String?

    /// The change of an amount against the previous period, in percent; nil when the previous one is 0.
    public static func change(from previous: Decimal, to current: Decimal) -> Decimal? {
        previous.isZero ? nil : (current - previous) / abs(previous) * 100
    }
}

extension UnitEconomicsReports {
    /// The margin summary of `period` (settled like every report's: ending on the last day complete on
    /// both sides) and of the period of the same length before it. Shared cost is not allocated here.
    public func marginSummary(revenueMetric title: String, costReport name: String, period asked: ReportPeriod, lowest: Int = 5)
        async throws -> MarginSummary
    {
        let (current, cost) = try await marginReport(revenueMetric: title, costReport: name, allocateBy: nil, period: asked)
        let previous = try await margin(revenueMetric: title, costReport: name, allocateBy: nil, period: current.period.previous)
        let unmatched = cost.unmatched.reduce(Decimal.zero) { $0 + $1.amount }
        let customers = Self.customers(current)
        let withRevenue = customers.filter { !$0.revenue.isZero }
        return MarginSummary(
            revenueMetric: title, costReport: name, currency: current.currency ?? "",
            period: current.period, previousPeriod: previous.period,
            current: Self.totals(current), previous: Self.totals(previous),
            lowestMargin: Array(
                withRevenue.sorted { lhs, rhs in
                    let (l, r) = (lhs.marginPercent ?? 0, rhs.marginPercent ?? 0)
                    return l == r ? lhs.customerID < rhs.customerID : l < r
                }.prefix(lowest)),
            customersWithRevenue: withRevenue.count,
            customersWithoutRevenue: customers.filter { $0.revenue.isZero && !$0.cogs.isZero }
                .sorted { $0.cogs == $1.cogs ? $0.customerID < $1.customerID : $0.cogs > $1.cogs },
            cost: MarginSummary.CostSplit(tagged: cost.total - cost.shared - unmatched, unmatched: unmatched, shared: cost.shared),
            completeness: current.completeness, partialPeriodWarning: current.partialPeriodWarning)
    }

    /// The margin report's customer rows (those with a customer id).
    static func customers(_ margin: ReportOutput) -> [MarginSummary.Customer] {
        guard let section = margin.sections.first else { return [] }
        let column = Dictionary(uniqueKeysWithValues: section.columns.enumerated().map { ($1, $0) })
        return section.rows.compactMap { row in
            guard let id = row[column["customer_id"]!] else { return nil }
            return MarginSummary.Customer(
                label: row[column["customer"]!] ?? id, customerID: id,
                revenue: row[column["revenue"]!].flatMap { Decimal(string: $0) } ?? 0,
                cogs: row[column["cogs"]!].flatMap { Decimal(string: $0) } ?? 0)
        }
    }

    /// The margin report's total row.
    static func totals(_ margin: ReportOutput) -> MarginSummary.Totals {
        guard let section = margin.sections.first,
            let total = section.rows.last(where: { $0.first == Self.totalLabel }),
            let revenue = section.columns.firstIndex(of: "revenue"), let cogs = section.columns.firstIndex(of: "cogs")
        else { return MarginSummary.Totals(revenue: 0, cogs: 0) }
        return MarginSummary.Totals(
            revenue: total[revenue].flatMap { Decimal(string: $0) } ?? 0, cogs: total[cogs].flatMap { Decimal(string: $0) } ?? 0)
    }
}
