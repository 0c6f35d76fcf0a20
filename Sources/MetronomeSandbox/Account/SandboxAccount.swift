#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The synthetic Metronome account the sandbox serves and computes its truth from.
///
/// It stores what is small (customers, metrics, credit types); usage and invoices follow from the
/// seed and are computed per request (see ``UsageTable`` and ``CustomerInvoices``).
public struct SandboxAccount: Sendable {
    public let parameters: AccountParameters
    public let creditTypes: [SandboxCreditType]
    public let metrics: [SandboxMetric]
    public let customers: [SandboxCustomer]
    public let usage: UsageTable
    /// Indexed like ``customers``; computed when read.
    public let invoicesByCustomer: CustomerInvoices
    let customerIndexByID: [String: Int]
    let metricIndexByID: [String: Int]

    init(
        parameters: AccountParameters,
        creditTypes: [SandboxCreditType],
        metrics: [SandboxMetric],
        customers: [SandboxCustomer],
        usage: UsageTable
    ) {
        self.parameters = parameters
        self.creditTypes = creditTypes
        self.metrics = metrics
        self.customers = customers
        self.usage = usage
        self.invoicesByCustomer = CustomerInvoices(
            customers: customers, metrics: metrics, usage: usage, parameters: parameters)
        self.customerIndexByID = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0.index) })
        self.metricIndexByID = Dictionary(uniqueKeysWithValues: metrics.map { ($0.id, $0.index) })
    }

    public var firstDay: CivilDay { parameters.firstDay }
    public var lastDay: CivilDay { parameters.lastDay }

    public func customer(id: String) -> SandboxCustomer? {
        customerIndexByID[id].map { customers[$0] }
    }

    public func metric(id: String) -> SandboxMetric? {
        metricIndexByID[id].map { metrics[$0] }
    }

    /// The day's value, nil when no events (or outside history).
    public func usageValue(customer: Int, metric: Int, day: CivilDay) -> Decimal? {
        usage.value(customer: customer, metric: metric, dayOffset: day.daysSinceEpoch - firstDay.daysSinceEpoch)
    }
}
