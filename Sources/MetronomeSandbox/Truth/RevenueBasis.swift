/// The two revenue definitions (docs/sandbox.md, "Ground truth").
public enum RevenueBasis: String, Hashable, Sendable, CaseIterable {
    /// The sum of `total` over the day's breakdown items of every non-VOID invoice in the credit type.
    case invoiceTotal = "invoice_total"
    /// The same items' line items in the credit type, except applied commits and credits.
    case grossUsage = "gross_usage"
}
