/// An invoice's type (`USAGE`, `SCHEDULED`, `USAGE_CONSOLIDATED`), upper-cased and open.
public struct InvoiceType: RawRepresentable, Hashable, Sendable, Decodable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public static let usage = InvoiceType(rawValue: "USAGE")
    public static let scheduled = InvoiceType(rawValue: "SCHEDULED")
    public static let usageConsolidated = InvoiceType(rawValue: "USAGE_CONSOLIDATED")

    public var description: String { rawValue }
}
