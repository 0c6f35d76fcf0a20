public import Foundation

/// A Swift value that can be bound to a `$n` parameter. Values travel in Postgres's text format; the
/// server infers the parameter type from the statement (add a cast such as `$1::jsonb` when it can't).
public protocol PostgresEncodable: Sendable {
    /// The value in Postgres text format, or `nil` for SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "t" : "f" }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int16: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresEncodable {
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"
    }
}

extension Decimal: PostgresEncodable {
    /// Plain digits (`-123.45`), which `numeric` parses exactly: the text of `description`.
    public var postgresText: String? { isNaN ? "NaN" : PlainDecimalText.text(of: self) }
}

/// `Decimal.description`, fast. An import sends hundreds of thousands of amounts, and `description`
/// divides the 128-bit mantissa by ten for every digit (about a seventh of a worker's CPU). An amount
/// whose mantissa fits 64 bits and whose exponent is not positive, as nearly all do, is written here
/// from its integer digits; any other goes through `description`. Both give the same text.
enum PlainDecimalText {
    static func text(of value: Decimal) -> String {
        let exponent = value.exponent
        guard exponent <= 0, exponent >= -64 else { return value.description }
        let significand = value.significand
        let mantissa = NSDecimalNumber(decimal: significand).uint64Value
        // The conversion is exact below 2^64; the check sends any wider mantissa to `description`.
        guard Decimal(mantissa) == significand else { return value.description }
        if mantissa == 0 { return "0" }
        var digits = Array(String(mantissa).utf8)
        var scale = -exponent
        // `description` writes no trailing zeros after the point.
        while scale > 0, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            scale -= 1
        }
        var text: [UInt8] = []
        text.reserveCapacity(digits.count + scale + 3)
        if value.sign == .minus { text.append(UInt8(ascii: "-")) }
        if scale >= digits.count {
            text.append(UInt8(ascii: "0"))
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale - digits.count))
            text.append(contentsOf: digits)
        } else {
            text.append(contentsOf: digits[..<(digits.count - scale)])
            if scale > 0 {
                text.append(UInt8(ascii: "."))
                text.append(contentsOf: digits[(digits.count - scale)...])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { uuidString.lowercased() }
}

extension Date: PostgresEncodable {
    /// An ISO 8601 UTC timestamp with microseconds, which `timestamptz` parses exactly.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Data: PostgresEncodable {
    /// `bytea` in hex format.
    public var postgresText: String? {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        bytes.reserveCapacity(2 + count * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// A one-dimensional array literal: `{"a","b",NULL}`. Every element is quoted, so commas, braces,
    /// quotes and backslashes inside values survive. Built as UTF-8 bytes: a quote and a backslash are
    /// single bytes that never occur inside a multi-byte character, so escaping byte by byte is exact.
    public var postgresText: String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + count * 16)
        bytes.append(UInt8(ascii: "{"))
        for index in indices {
            if index > startIndex { bytes.append(UInt8(ascii: ",")) }
            guard var value = self[index].postgresText else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            value.withUTF8 { utf8 in
                if !utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                    bytes.append(contentsOf: utf8)
                    return
                }
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                    bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A `json`/`jsonb` value: encodes and decodes any `Codable` type through JSON text.
public struct PostgresJSON<Value: Sendable>: Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
}

extension PostgresJSON: PostgresEncodable where Value: Encodable {
    public var postgresText: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension PostgresJSON: Equatable where Value: Equatable {}
