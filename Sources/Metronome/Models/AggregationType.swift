/// How a billable metric aggregates events. Open: a value this client does not know is kept, not
/// rejected, because the OAS already lists more than one spelling (`count`, `Count`, `COUNT`).
public struct AggregationType: RawRepresentable, Hashable, Sendable, Decodable, CustomStringConvertible {
    /// Upper case, whatever casing Metronome sent.
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public static let count = AggregationType(rawValue: "COUNT")
    public static let sum = AggregationType(rawValue: "SUM")
    public static let max = AggregationType(rawValue: "MAX")
    public static let latest = AggregationType(rawValue: "LATEST")
    public static let unique = AggregationType(rawValue: "UNIQUE")

    public var description: String { rawValue }

    /// Whether a day's value is a level (the maximum, the distinct count, the latest value) rather than
    /// an amount: adding such values across days or customers gives a number that means nothing.
    public var isGauge: Bool { self == .max || self == .unique || self == .latest }
}
