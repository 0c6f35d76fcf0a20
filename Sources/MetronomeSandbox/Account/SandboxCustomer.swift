/// A customer of the synthetic account.
public struct SandboxCustomer: Hashable, Sendable {
    public let index: Int
    public let id: String
    /// Not unique, sometimes non-ASCII, once empty.
    public let name: String
    /// None, one or several.
    public let ingestAliases: [String]
    public let createdAt: Timestamp
    public let createdAtStyle: TimestampStyle
    public let archivedAt: Timestamp?
    /// The credit type of the customer's usage invoices: USD (cents) or EUR.
    public let currency: SandboxCreditType
    /// Prepaid-commit customers: an applied commit line cancels each day's usage, total 0.
    public let hasPrepaidCommit: Bool
    public let hasScheduledFees: Bool
    public let hasVoidInvoices: Bool
    public let hasCloudUnitInvoices: Bool
    public let salesforceAccountID: String?
    public let customFields: [String: String]
    /// Which metrics (by index) this customer ever uses; the others are null every day.
    public let usesMetric: [Bool]
    public let contractID: String

    public var isArchived: Bool { archivedAt != nil }
}
