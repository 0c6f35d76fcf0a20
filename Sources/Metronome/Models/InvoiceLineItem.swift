#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One line of an invoice (or of one breakdown window of it).
public struct InvoiceLineItem: Decodable, Hashable, Sendable {
    public let name: String?
    public let type: LineItemType?
    /// Exact, in the unit of ``creditType``; negative for applied commits and credits.
    public let total: Decimal
    public let quantity: Decimal?
    public let unitPrice: Decimal?
    /// May differ from the invoice's credit type (conversion lines).
    public let creditType: CreditType?
    public let productID: String?
    public let appliedCommitOrCredit: AppliedCommitOrCredit?

    public init(
        name: String?,
        type: LineItemType?,
        total: Decimal,
        quantity: Decimal? = nil,
        unitPrice: Decimal? = nil,
        creditType: CreditType?,
        productID: String? = nil,
        appliedCommitOrCredit: AppliedCommitOrCredit? = nil
    ) {
        self.name = name
        self.type = type
        self.total = total
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.creditType = creditType
        self.productID = productID
        self.appliedCommitOrCredit = appliedCommitOrCredit
    }

    /// True for applied commits and credits, which the gross-usage revenue basis leaves out:
    /// lines of type `applied_commit_or_credit` or carrying an `applied_commit_or_credit` object.
    public var isAppliedCommitOrCredit: Bool {
        type == .appliedCommitOrCredit || appliedCommitOrCredit != nil
    }

    enum CodingKeys: String, CodingKey {
        case name, type, total, quantity
        case unitPrice = "unit_price"
        case creditType = "credit_type"
        case productID = "product_id"
        case appliedCommitOrCredit = "applied_commit_or_credit"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decodeIfPresent(String.self, forKey: .name)
        self.type = try container.decodeIfPresent(LineItemType.self, forKey: .type)
        self.total = try container.decodeDecimal(forKey: .total)
        self.quantity = try container.decodeDecimalIfPresent(forKey: .quantity)
        self.unitPrice = try container.decodeDecimalIfPresent(forKey: .unitPrice)
        self.creditType = try container.decodeIfPresent(CreditType.self, forKey: .creditType)
        self.productID = try container.decodeIfPresent(String.self, forKey: .productID)
        self.appliedCommitOrCredit = try container.decodeIfPresent(
            AppliedCommitOrCredit.self,
            forKey: .appliedCommitOrCredit
        )
    }
}
