/// An invoice of the synthetic account, with its daily breakdown windows.
public struct SandboxInvoice: Hashable, Sendable {
    public let id: String
    public let customerID: String
    /// `USAGE` or `SCHEDULED`.
    public let type: String
    /// `DRAFT`, `FINALIZED` or `VOID`.
    public let status: String
    public let creditType: SandboxCreditType
    /// The billing period, `[periodStart, periodEnd)`.
    public let periodStart: CivilDay
    public let periodEnd: CivilDay
    public let issuedAt: Timestamp
    public let contractID: String
    /// Some invoices omit `subtotal` (the current schema dropped it; examples still have it).
    public let includesSubtotal: Bool
    /// Sorted by day; only days inside the account's history.
    public let windows: [SandboxBreakdownWindow]
}
