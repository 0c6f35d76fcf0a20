#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One line item of one breakdown window.
public struct SandboxLineItem: Hashable, Sendable {
    public let name: String
    /// `usage`, `scheduled` or `applied_commit_or_credit`.
    public let type: String
    public let creditType: SandboxCreditType
    public let quantity: Decimal?
    public let unitPrice: Decimal?
    public let total: Decimal
    public let productID: String?
    /// Set on applied prepaid commits: `(id, type)`.
    public let appliedCommitID: String?

    public var isAppliedCommitOrCredit: Bool { type == "applied_commit_or_credit" || appliedCommitID != nil }
}
