/// A pricing unit: a fiat currency ("USD (cents)", "EUR") or a custom unit.
///
/// Amounts are numbers in this unit. USD is the only currency in cents, and the only reliable
/// signal is the name's "(cents)" suffix, not the currency code (see ``amountDivisor``).
public struct CreditType: Decodable, Hashable, Sendable {
    public let id: String
    public let name: String?
    /// Present on `GET /v1/credit-types/list`; absent where a credit type is embedded in an invoice.
    public let isCurrency: Bool?

    /// The id of "USD (cents)", the same in every Metronome account.
    public static let usdCentsID = "2714e483-4ff1-48e4-9e25-ac732e8f24f2"

    public init(id: String, name: String?, isCurrency: Bool? = nil) {
        self.id = id
        self.name = name
        self.isCurrency = isCurrency
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case isCurrency = "is_currency"
    }

    /// 100 for a unit named "... (cents)", else 1: what turns an amount into whole units.
    public var amountDivisor: Int {
        (name ?? "").lowercased().hasSuffix("(cents)") ? 100 : 1
    }
}
