#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Computes the expected import from the account, under `design.md`'s "Definitions shared by
/// every part". Pure: the same account gives the same rows, in a stable order.
///
/// - Usage: one row per (metric, customer, day) whose `value` is not null; `0` is a row, `null` is not.
///   Archived customers and archived metrics are included (their history is in scope).
/// - Revenue, `invoice_total`: per (credit type, customer, day), the sum of the breakdown items'
///   `total` over every non-VOID invoice in that credit type. A day with items whose totals are 0
///   (a prepaid commit, or no usage) is a row with value 0; a day with no items has no row.
/// - Revenue, `gross_usage`: the same items' line items in the credit type, except applied commits
///   and credits. Rows exist for the same (credit type, customer, day) keys.
/// - Units: "USD (cents)" amounts are divided by 100 (dollars); others are as served.
public enum TruthCalculator {
    public static func rows(for account: SandboxAccount, filter: TruthFilter = TruthFilter()) -> [TruthRow] {
        var rows: [TruthRow] = []
        if filter.kind == nil || filter.kind == .usage {
            rows += usageRows(account, filter)
        }
        if filter.kind == nil || filter.kind == .revenue {
            rows += revenueRows(account, filter)
        }
        return rows
    }

    static func usageRows(_ account: SandboxAccount, _ filter: TruthFilter) -> [TruthRow] {
        var rows: [TruthRow] = []
        for metric in account.metrics.sorted(by: { $0.id < $1.id }) {
            if let id = filter.billableMetricID, id != metric.id { continue }
            for customer in account.customers.sorted(by: { $0.id < $1.id }) {
                if let id = filter.customerID, id != customer.id { continue }
                for offset in 0..<account.parameters.dayCount {
                    guard
                        let value = account.usage.value(
                            customer: customer.index, metric: metric.index, dayOffset: offset)
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
            }
        }
        return rows
    }

    private struct RevenueKey: Hashable, Comparable {
        let creditTypeID: String
        let customerID: String
        let day: CivilDay

        static func < (lhs: RevenueKey, rhs: RevenueKey) -> Bool {
            (lhs.creditTypeID, lhs.customerID, lhs.day.daysSinceEpoch)
                < (rhs.creditTypeID, rhs.customerID, rhs.day.daysSinceEpoch)
        }
    }

    static func revenueRows(_ account: SandboxAccount, _ filter: TruthFilter) -> [TruthRow] {
        var invoiceTotals: [RevenueKey: Decimal] = [:]
        var grossUsage: [RevenueKey: Decimal] = [:]
        for (customerIndex, invoices) in account.invoicesByCustomer.enumerated() {
            let customerID = account.customers[customerIndex].id
            for invoice in invoices where invoice.status != "VOID" {
                for window in invoice.windows {
                    let key = RevenueKey(creditTypeID: invoice.creditType.id, customerID: customerID, day: window.day)
                    invoiceTotals[key, default: 0] += window.total
                    grossUsage[key, default: 0] += 0
                    for line in window.lineItems where !line.isAppliedCommitOrCredit {
                        let lineKey = RevenueKey(
                            creditTypeID: line.creditType.id, customerID: customerID, day: window.day)
                        grossUsage[lineKey, default: 0] += line.total
                    }
                }
            }
        }
        let divisors = Dictionary(uniqueKeysWithValues: account.creditTypes.map { ($0.id, divisor(for: $0)) })
        var rows: [TruthRow] = []
        for basis in RevenueBasis.allCases {
            let sums = basis == .invoiceTotal ? invoiceTotals : grossUsage
            for key in sums.keys.sorted() {
                let row = TruthRow(
                    kind: .revenue,
                    billableMetricID: nil,
                    creditTypeID: key.creditTypeID,
                    basis: basis,
                    customerID: key.customerID,
                    day: key.day,
                    value: sums[key]! / Decimal(divisors[key.creditTypeID] ?? 1)
                )
                if filter.admits(row) { rows.append(row) }
            }
        }
        return rows
    }

    /// 100 for "... (cents)", else 1.
    public static func divisor(for creditType: SandboxCreditType) -> Int {
        creditType.name.lowercased().hasSuffix("(cents)") ? 100 : 1
    }
}
