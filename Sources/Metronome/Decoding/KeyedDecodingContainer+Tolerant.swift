#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Decoding helpers for the places where Metronome's JSON is looser than its schema.
extension KeyedDecodingContainer {
    /// An exact decimal from a JSON number (or a numeric string); nil when missing or `null`.
    ///
    /// Values arrive as bare JSON numbers, integral on one page and fractional on the next, so
    /// they are read as `Decimal` straight from the number's text, never through `Double`.
    func decodeDecimalIfPresent(forKey key: Key) throws -> Decimal? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let decimal = try? decode(Decimal.self, forKey: key) {
            return decimal
        }
        if let text = try? decode(String.self, forKey: key), let decimal = DecimalText.parse(text) {
            return decimal
        }
        throw DecodingError.typeMismatch(
            Decimal.self,
            .init(codingPath: codingPath + [key], debugDescription: "Expected a number")
        )
    }

    /// A required exact decimal (see ``decodeDecimalIfPresent(forKey:)``).
    func decodeDecimal(forKey key: Key) throws -> Decimal {
        guard let value = try decodeDecimalIfPresent(forKey: key) else {
            throw DecodingError.valueNotFound(
                Decimal.self,
                .init(codingPath: codingPath + [key], debugDescription: "Expected a number, found null or nothing")
            )
        }
        return value
    }

    /// A string list that may be missing or `null`; both read as empty.
    func decodeStringsIfPresent(forKey key: Key) throws -> [String] {
        try decodeIfPresent([String].self, forKey: key) ?? []
    }

    /// An object of string values that may be missing or `null`; non-string values are skipped.
    func decodeStringMapIfPresent(forKey key: Key) throws -> [String: String] {
        guard contains(key), try !decodeNil(forKey: key) else { return [:] }
        let values = try decode([String: LooseScalar].self, forKey: key)
        return values.compactMapValues(\.text)
    }
}

/// A JSON scalar read leniently, for free-form maps such as `custom_fields`.
struct LooseScalar: Decodable {
    let text: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            text = nil
        } else if let string = try? container.decode(String.self) {
            text = string
        } else if let bool = try? container.decode(Bool.self) {
            text = bool ? "true" : "false"
        } else if let number = try? container.decode(Decimal.self) {
            text = "\(number)"
        } else {
            text = nil
        }
    }
}
