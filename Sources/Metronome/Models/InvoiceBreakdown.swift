#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One (invoice, window) item of `GET /v1/customers/{id}/invoices/breakdowns`: the full invoice,
/// with totals and line items for that window only. The same invoice id repeats once per window.
public struct InvoiceBreakdown: Decodable, Hashable, Sendable {
    public let invoice: Invoice
    public let breakdownStartTimestamp: Date
    public let breakdownEndTimestamp: Date

    public init(invoice: Invoice, breakdownStartTimestamp: Date, breakdownEndTimestamp: Date) {
        self.invoice = invoice
        self.breakdownStartTimestamp = breakdownStartTimestamp
        self.breakdownEndTimestamp = breakdownEndTimestamp
    }

    /// The UTC day the window starts on.
    public var day: UTCDay { UTCDay(containing: breakdownStartTimestamp) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Invoice.CodingKeys.self)
        self.invoice = try Invoice(container: container)
        self.breakdownStartTimestamp = try container.decode(Date.self, forKey: .breakdownStartTimestamp)
        self.breakdownEndTimestamp = try container.decode(Date.self, forKey: .breakdownEndTimestamp)
    }
}
