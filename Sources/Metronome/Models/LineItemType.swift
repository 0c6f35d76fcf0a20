/// A line item's type, lower-cased and open (`usage`, `scheduled`, `applied_commit_or_credit`, ...).
public struct LineItemType: RawRepresentable, Hashable, Sendable, Decodable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue.lowercased() }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public static let usage = LineItemType(rawValue: "usage")
    public static let scheduled = LineItemType(rawValue: "scheduled")
    public static let subscription = LineItemType(rawValue: "subscription")
    public static let commitPurchase = LineItemType(rawValue: "commit_purchase")
    /// An applied commit or credit: a negative total that offsets other lines.
    public static let appliedCommitOrCredit = LineItemType(rawValue: "applied_commit_or_credit")
    public static let cpuConversion = LineItemType(rawValue: "cpu_conversion")

    public var description: String { rawValue }
}
