#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Computes the expected import from the account, under the definitions of docs/sandbox.md, "Ground
/// truth". Pure: the same account gives the same rows, in a stable order.
///
/// - Usage: one row per (metric, customer, day) whose `value` is not null; `0` is a row, `null` is not.
///   Archived customers and archived metrics are included (their history is in scope).
/// - Revenue, `invoice_total`: per (credit type, customer, day), the sum of the breakdown items'
///   `total` over every non-VOID invoice in that credit type. A day with items whose totals are 0
///   (a prepaid commit, or no usage) is a row with value 0; a day with no items has no row.
/// - Revenue, `gross_usage`: the same items' line items in the credit type, except applied commits
///   and credits. Rows exist for the same (credit type, customer, day) keys.
/// - Units: "USD (cents)" amounts are divided by 100 (dollars); others are as served.
///
/// Rows go usage first (by metric id, customer id, day), then revenue (by basis, credit type id,
/// customer id, day).
public enum TruthCalculator {
    public static func rows(for account: SandboxAccount, filter: TruthFilter = TruthFilter()) -> [TruthRow] {
        Array(TruthRows(account: account, filter: filter))
    }

    /// The rows of one slice, in order, with the filter applied.
    static func rows(in slice: TruthSlice, account: SandboxAccount, filter: TruthFilter) -> [TruthRow] {
        switch slice {
        case .usage(let metric, let customer):
            return usageRows(metric: metric, customer: customer, account: account, filter: filter)
        case .revenue(let basis, let creditType, let customer):
            return revenueRows(
                basis: basis, creditType: creditType, customer: customer, account: account, filter: filter)
        }
    }

    /// The history's day offsets that the filter's day range admits.
    static func dayOffsets(_ account: SandboxAccount, _ filter: TruthFilter) -> Range<Int> {
        let first = account.firstDay.daysSinceEpoch
        let low = max(0, (filter.fromDay?.daysSinceEpoch ?? first) - first)
        let high = min(account.parameters.dayCount, (filter.toDay.map { $0.daysSinceEpoch + 1 } ?? Int.max) - first)
        return low..<max(low, high)
    }

    static func usageRows(
        metric: SandboxMetric,
        customer: SandboxCustomer,
        account: SandboxAccount,
        filter: TruthFilter
    ) -> [TruthRow] {
        var rows: [TruthRow] = []
        for offset in dayOffsets(account, filter) {
            guard let value = account.usage.value(customer: customer.index, metric: metric.index, dayOffset: offset)
            else { continue }
            let row = TruthRow(
                kind: .usage,
                billableMetricID: metric.id,
                creditTypeID: nil,
                basis: nil,
                customerID: customer.id,
                day: account.firstDay.adding(days: offset),
                value: value
            )
            if filter.admits(row) { rows.append(row) }
        }
        return rows
    }

    /// One customer's revenue in one credit type on one basis. Every line item is in its invoice's
    /// credit type, so only that credit type's invoices are computed.
    static func revenueRows(
        basis: RevenueBasis,
        creditType: SandboxCreditType,
        customer: SandboxCustomer,
        account: SandboxAccount,
        filter: TruthFilter
    ) -> [TruthRow] {
        let offsets = dayOffsets(account, filter)
        let first = account.firstDay.daysSinceEpoch
        var sums: [Decimal?] = Array(repeating: nil, count: offsets.count)
        for invoice in account.invoicesByCustomer[customer.index]
        where invoice.status != "VOID" && invoice.creditType == creditType {
            let low = max(invoice.firstWindowDay.daysSinceEpoch, first + offsets.lowerBound)
            let high = min(invoice.firstWindowDay.daysSinceEpoch + invoice.windowDayCount, first + offsets.upperBound)
            for day in low..<max(low, high) {
                guard let window = invoice.window(on: CivilDay(daysSinceEpoch: day)) else { continue }
                let index = day - first - offsets.lowerBound
                let amount = basis == .invoiceTotal ? window.total : window.subtotal
                sums[index] = (sums[index] ?? 0) + amount
            }
        }
        let unitDivisor = Decimal(divisor(for: creditType))
        var rows: [TruthRow] = []
        for (index, sum) in sums.enumerated() {
            guard let sum else { continue }
            let row = TruthRow(
                kind: .revenue,
                billableMetricID: nil,
                creditTypeID: creditType.id,
                basis: basis,
                customerID: customer.id,
                day: account.firstDay.adding(days: offsets.lowerBound + index),
                value: sum / unitDivisor
            )
            if filter.admits(row) { rows.append(row) }
        }
        return rows
    }

    /// 100 for "... (cents)", else 1.
    public static func divisor(for creditType: SandboxCreditType) -> Int {
        creditType.name.lowercased().hasSuffix("(cents)") ? 100 : 1
    }
}
