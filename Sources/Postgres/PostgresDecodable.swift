public import Foundation

/// A Swift value that can be read from a column in Postgres's text format.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value.
    init(postgresText text: String) throws(PostgresError)
    /// The value for SQL NULL; non-optional types throw.
    static func postgresNull() throws(PostgresError) -> Self
}

extension PostgresDecodable {
    public static func postgresNull() throws(PostgresError) -> Self {
        throw .client("unexpected NULL for non-optional \(Self.self)")
    }
}

private func invalid<T>(_ type: T.Type, _ text: String) -> PostgresError {
    // The value itself stays out of the message: it may be sensitive.
    .client("cannot decode \(type) from a \(text.utf8.count)-byte column value")
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String) throws(PostgresError) { self = try Wrapped(postgresText: text) }
    public static func postgresNull() throws(PostgresError) -> Self { nil }
}

extension String: PostgresDecodable {
    public init(postgresText text: String) { self = text }
}

extension Bool: PostgresDecodable {
    public init(postgresText text: String) throws(PostgresError) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw invalid(Bool.self, text)
        }
    }
}

extension Int: PostgresDecodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int(text) else { throw invalid(Int.self, text) }
        self = value
    }
}

extension Int16: PostgresDecodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int16(text) else { throw invalid(Int16.self, text) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int32(text) else { throw invalid(Int32.self, text) }
        self = value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int64(text) else { throw invalid(Int64.self, text) }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Double(text) else { throw invalid(Double.self, text) }
        self = value
    }
}

extension Decimal: PostgresDecodable {
    /// Exact for every `numeric` value of up to 38 significant digits; anything wider is refused rather
    /// than rounded, because amounts must stay exact.
    public init(postgresText text: String) throws(PostgresError) {
        if text == "NaN" {
            self = .nan
            return
        }
        var significant = 0
        var leading = true
        var valid = !text.isEmpty
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if byte != UInt8(ascii: "0") { leading = false }
                if !leading { significant += 1 }
            case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"):
                break
            default:
                valid = false
            }
        }
        guard valid, significant <= 38, let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { throw invalid(Decimal.self, text) }
        self = value
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = UUID(uuidString: text) else { throw invalid(UUID.self, text) }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz` (the connection runs with `TimeZone=UTC`, `DateStyle=ISO`), `timestamp`
    /// (taken as UTC) and `date` (midnight UTC).
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = PostgresTimestamp.parse(text) else { throw invalid(Date.self, text) }
        self = value
    }
}

extension Data: PostgresDecodable {
    /// Reads `bytea` in hex format (`\x…`), the server default since 9.0.
    public init(postgresText text: String) throws(PostgresError) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0
        else { throw invalid(Data.self, text) }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var data = Data(capacity: (bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else {
                throw invalid(Data.self, text)
            }
            data.append(high << 4 | low)
            index += 2
        }
        self = data
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// Reads a one-dimensional array (`{a,"b c",NULL}`); NULL elements decode through the element type.
    public init(postgresText text: String) throws(PostgresError) {
        guard let elements = PostgresArrayParser.parse(text) else { throw invalid([Element].self, text) }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            if let element {
                result.append(try Element(postgresText: element))
            } else {
                result.append(try Element.postgresNull())
            }
        }
        self = result
    }
}

extension PostgresJSON: PostgresDecodable where Value: Decodable {
    public init(postgresText text: String) throws(PostgresError) {
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw .client("cannot decode JSON column as \(Value.self): \(error)")
        }
    }
}

/// Parses the text form of a one-dimensional Postgres array.
enum PostgresArrayParser {
    static func parse(_ text: String) -> [String?]? {
        var scalars = Array(text.unicodeScalars)[...]
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        scalars = scalars.dropFirst().dropLast()
        var result: [String?] = []
        if scalars.isEmpty { return result }
        var index = scalars.startIndex
        while index <= scalars.endIndex {
            var value = String.UnicodeScalarView()
            var quoted = false
            if index < scalars.endIndex, scalars[index] == "\"" {
                quoted = true
                index += 1
                while index < scalars.endIndex, scalars[index] != "\"" {
                    if scalars[index] == "\\" { index += 1 }
                    guard index < scalars.endIndex else { return nil }
                    value.append(scalars[index])
                    index += 1
                }
                guard index < scalars.endIndex else { return nil }
                index += 1  // closing quote
            } else {
                while index < scalars.endIndex, scalars[index] != "," {
                    value.append(scalars[index])
                    index += 1
                }
            }
            let string = String(value)
            result.append(!quoted && string == "NULL" ? nil : string)
            guard index < scalars.endIndex else { break }
            guard scalars[index] == "," else { return nil }
            index += 1
        }
        return result
    }
}
