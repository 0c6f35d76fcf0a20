/// An invoice's status (`DRAFT`, `FINALIZED`, `VOID`), upper-cased on read and open to new values.
public struct InvoiceStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static let draft = InvoiceStatus(rawValue: "DRAFT")
    public static let finalized = InvoiceStatus(rawValue: "FINALIZED")
    /// Void invoices are not revenue; breakdowns can still contain them.
    public static let void = InvoiceStatus(rawValue: "VOID")

    public var description: String { rawValue }
}
