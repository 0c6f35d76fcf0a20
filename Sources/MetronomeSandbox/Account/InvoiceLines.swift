#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How an invoice's line items follow from the account: a breakdown window is computed from this
/// and the day, so no line item is stored. Every line is in its invoice's credit type.
struct InvoiceLines: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// One `usage` line per metric the customer has a value for that day, in the customer's
        /// currency; for a prepaid customer, a negative applied-commit line cancels them.
        case usage(prepaidCommitID: String?)
        /// One fixed platform fee.
        case scheduledFee(Decimal)
        /// The first metric's usage in cloud consumption units, at 2 units each.
        case cloudUnits
    }

    let kind: Kind
    let customer: SandboxCustomer
    let metrics: [SandboxMetric]
    let usage: UsageTable

    static let cloudUnitPrice = Decimal(2)

    func window(on day: CivilDay) -> SandboxBreakdownWindow {
        let hour = Int(SeededGenerator.mix(usage.seed, UInt64(customer.index), UInt64(day.daysSinceEpoch)) % 24)
        return SandboxBreakdownWindow(day: day, activeHour: hour, lineItems: lineItems(on: day))
    }

    func lineItems(on day: CivilDay) -> [SandboxLineItem] {
        let dayOffset = day.daysSinceEpoch - usage.firstDay.daysSinceEpoch
        switch kind {
        case .usage(let commitID):
            var lines: [SandboxLineItem] = []
            for metric in metrics where customer.usesMetric[metric.index] {
                guard let quantity = usage.value(customer: customer.index, metric: metric.index, dayOffset: dayOffset)
                else { continue }
                let price = customer.currency == .euro ? metric.euroPrice : metric.usdCentsPrice
                lines.append(
                    SandboxLineItem(
                        name: metric.name,
                        type: "usage",
                        creditType: customer.currency,
                        quantity: quantity,
                        unitPrice: price,
                        total: quantity * price,
                        productID: metric.id,
                        appliedCommitID: nil
                    )
                )
            }
            if let commitID, !lines.isEmpty {
                let usageTotal = lines.reduce(Decimal(0)) { $0 + $1.total }
                lines.append(
                    SandboxLineItem(
                        name: "Prepaid commit",
                        type: "applied_commit_or_credit",
                        creditType: customer.currency,
                        quantity: nil,
                        unitPrice: nil,
                        total: -usageTotal,
                        productID: nil,
                        appliedCommitID: commitID
                    )
                )
            }
            return lines
        case .scheduledFee(let fee):
            return [
                SandboxLineItem(
                    name: "Platform fee",
                    type: "scheduled",
                    creditType: customer.currency,
                    quantity: 1,
                    unitPrice: fee,
                    total: fee,
                    productID: nil,
                    appliedCommitID: nil
                )
            ]
        case .cloudUnits:
            guard let metric = metrics.first,
                let quantity = usage.value(customer: customer.index, metric: metric.index, dayOffset: dayOffset)
            else { return [] }
            return [
                SandboxLineItem(
                    name: "Compute units",
                    type: "usage",
                    creditType: .cloudUnits,
                    quantity: quantity,
                    unitPrice: Self.cloudUnitPrice,
                    total: quantity * Self.cloudUnitPrice,
                    productID: metric.id,
                    appliedCommitID: nil
                )
            ]
        }
    }
}
