#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A Metronome invoice: the fields an importer needs, tolerant of everything else.
///
/// `id`, `customer_id` and `total` are required because revenue is keyed and summed on them;
/// `subtotal` is deliberately optional (the August 2026 schema dropped it, its examples did not).
public struct Invoice: Decodable, Hashable, Sendable {
    public let id: String
    public let customerID: String
    public let status: InvoiceStatus?
    public let type: InvoiceType?
    public let creditType: CreditType?
    /// Exact, in the unit of ``creditType``.
    public let total: Decimal
    public let subtotal: Decimal?
    public let lineItems: [InvoiceLineItem]
    public let startTimestamp: Date?
    public let endTimestamp: Date?
    public let issuedAt: Date?
    public let contractID: String?

    public init(
        id: String,
        customerID: String,
        status: InvoiceStatus?,
        type: InvoiceType?,
        creditType: CreditType?,
        total: Decimal,
        subtotal: Decimal? = nil,
        lineItems: [InvoiceLineItem] = [],
        startTimestamp: Date? = nil,
        endTimestamp: Date? = nil,
        issuedAt: Date? = nil,
        contractID: String? = nil
    ) {
        self.id = id
        self.customerID = customerID
        self.status = status
        self.type = type
        self.creditType = creditType
        self.total = total
        self.subtotal = subtotal
        self.lineItems = lineItems
        self.startTimestamp = startTimestamp
        self.endTimestamp = endTimestamp
        self.issuedAt = issuedAt
        self.contractID = contractID
    }

    enum CodingKeys: String, CodingKey {
        case id, status, type, total, subtotal
        case customerID = "customer_id"
        case creditType = "credit_type"
        case lineItems = "line_items"
        case startTimestamp = "start_timestamp"
        case endTimestamp = "end_timestamp"
        case issuedAt = "issued_at"
        case contractID = "contract_id"
        // An invoice breakdown's own keys, so it reads its invoice and window from one container.
        case breakdownStartTimestamp = "breakdown_start_timestamp"
        case breakdownEndTimestamp = "breakdown_end_timestamp"
    }

    public init(from decoder: any Decoder) throws {
        try self.init(container: decoder.container(keyedBy: CodingKeys.self))
    }

    /// Reads the invoice from an object already opened: a breakdown opens its object once (each
    /// container `JSONDecoder` opens indexes the object's keys again).
    init(container: KeyedDecodingContainer<CodingKeys>) throws {
        self.id = try container.decode(String.self, forKey: .id)
        self.customerID = try container.decode(String.self, forKey: .customerID)
        self.status = try container.decodeIfPresent(InvoiceStatus.self, forKey: .status)
        self.type = try container.decodeIfPresent(InvoiceType.self, forKey: .type)
        self.creditType = try container.decodeIfPresent(CreditType.self, forKey: .creditType)
        self.total = try container.decodeDecimal(forKey: .total)
        self.subtotal = try container.decodeDecimalIfPresent(forKey: .subtotal)
        self.lineItems = try container.decodeIfPresent([InvoiceLineItem].self, forKey: .lineItems) ?? []
        self.startTimestamp = try container.decodeIfPresent(Date.self, forKey: .startTimestamp)
        self.endTimestamp = try container.decodeIfPresent(Date.self, forKey: .endTimestamp)
        self.issuedAt = try container.decodeIfPresent(Date.self, forKey: .issuedAt)
        self.contractID = try container.decodeIfPresent(String.self, forKey: .contractID)
    }
}
