/// Which invoice amounts count as revenue.
public enum RevenueBasis: String, Sendable, Codable, CaseIterable {
    /// The `total` of each day's breakdown of every non-VOID invoice: what the customer is billed,
    /// after commits and credits.
    case invoiceTotal = "invoice_total"
    /// The invoice's line items except applied commits and credits: usage and fees before prepaid
    /// money is drawn down.
    case grossUsage = "gross_usage"
}
