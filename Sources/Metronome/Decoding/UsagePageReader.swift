#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A type whose wire form can also be read straight from a response's bytes, faster than `JSONDecoder`
/// and with the same result. `read` answers nil for anything it does not take, and the caller then
/// decodes with `JSONDecoder`, which gives the value or the error exactly as before. It takes no page
/// holding a number of more than ``JSONNumberGuard/maximumDigits`` digits, which the caller's guard
/// would refuse.
protocol ReadableFromBytes {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self?
}

extension PageEnvelope: ReadableFromBytes where Item == UsageAggregate {
    static func read(_ bytes: UnsafeRawBufferPointer) -> PageEnvelope<UsageAggregate>? {
        UsagePageReader.read(bytes)
    }
}

/// Reads a `/v1/usage` page from its bytes. Usage pages are an import's bulk: up to 200 windows each,
/// and `JSONDecoder` spent about half of a worker's CPU on them, building a dictionary of keys for every
/// window.
///
/// The reader takes well-formed JSON of the usual shape (unknown keys anywhere, with any JSON value, are
/// checked and skipped, as the decoder skips them) and answers nil, leaving the page to `JSONDecoder`,
/// for anything else: invalid JSON or UTF-8, a duplicate key, a `value` given as a string, a `groups`
/// object, a timestamp that is not RFC 3339, a string escape of a lone surrogate, nesting deeper than 64.
struct UsagePageReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    /// The last customer and metric ids read: consecutive windows repeat them, so they are made once.
    private var lastCustomer: (bytes: UnsafeRawBufferPointer, text: String)?
    private var lastMetric: (bytes: UnsafeRawBufferPointer, text: String)?

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func read(_ bytes: UnsafeRawBufferPointer) -> PageEnvelope<UsageAggregate>? {
        var reader = UsagePageReader(bytes)
        guard let page = reader.page() else { return nil }
        reader.skipWhitespace()
        return reader.index == bytes.count ? page : nil
    }

    // MARK: The page and its windows

    private mutating func page() -> PageEnvelope<UsageAggregate>? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var data: [UsageAggregate]?
        var nextPage: String?
        var sawNextPage = false
        if take(UInt8(ascii: "}")) { return nil }  // no `data`
        repeat {
            guard let key = key(), take(UInt8(ascii: ":")) else { return nil }
            switch key {
            case .field(.data):
                guard data == nil, let items = items() else { return nil }
                data = items
            case .field(.nextPage):
                guard !sawNextPage else { return nil }
                sawNextPage = true
                if takeLiteral("null") { continue }
                guard let text = string() else { return nil }
                nextPage = text
            default:
                guard skipValue(depth: 1) else { return nil }
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")), let data else { return nil }
        return PageEnvelope(data: data, nextPage: nextPage)
    }

    private mutating func items() -> [UsageAggregate]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var items: [UsageAggregate] = []
        if take(UInt8(ascii: "]")) { return items }
        items.reserveCapacity(200)
        repeat {
            guard let item = item() else { return nil }
            items.append(item)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? items : nil
    }

    private mutating func item() -> UsageAggregate? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var customerID: String?
        var metricID: String?
        var metricName: String?
        var start: Date?
        var end: Date?
        var value: Decimal?
        var seen: UInt16 = 0
        if take(UInt8(ascii: "}")) { return nil }
        repeat {
            guard let key = key(), take(UInt8(ascii: ":")) else { return nil }
            if case .field(let field) = key {
                guard seen & field.bit == 0 else { return nil }
                seen |= field.bit
            }
            switch key {
            case .field(.customerID):
                guard let text = repeatedString(\.lastCustomer) else { return nil }
                customerID = text
            case .field(.billableMetricID):
                guard let text = repeatedString(\.lastMetric) else { return nil }
                metricID = text
            case .field(.billableMetricName):
                if takeLiteral("null") { continue }
                guard let text = string() else { return nil }
                metricName = text
            case .field(.startTimestamp):
                guard let date = timestamp() else { return nil }
                start = date
            case .field(.endTimestamp):
                guard let date = timestamp() else { return nil }
                end = date
            case .field(.value):
                if takeLiteral("null") { continue }
                guard let number = number() else { return nil }
                value = number
            case .field(.groups):
                guard takeLiteral("null") else { return nil }
            default:
                guard skipValue(depth: 3) else { return nil }
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")), let customerID, let metricID, let start, let end else { return nil }
        return UsageAggregate(
            customerID: customerID, billableMetricID: metricID, billableMetricName: metricName, startTimestamp: start,
            endTimestamp: end, value: value)
    }

    // MARK: Keys and values

    /// The keys read here; every other key is skipped.
    private enum Field: Int, CaseIterable {
        case data, nextPage, customerID, billableMetricID, billableMetricName, startTimestamp, endTimestamp, value, groups

        var name: StaticString {
            switch self {
            case .data: "data"
            case .nextPage: "next_page"
            case .customerID: "customer_id"
            case .billableMetricID: "billable_metric_id"
            case .billableMetricName: "billable_metric_name"
            case .startTimestamp: "start_timestamp"
            case .endTimestamp: "end_timestamp"
            case .value: "value"
            case .groups: "groups"
            }
        }

        var bit: UInt16 { 1 << UInt16(rawValue) }
    }

    private enum Key {
        case field(Field)
        case other
    }

    /// A member's key.
    private mutating func key() -> Key? {
        guard let (range, escaped) = rawString() else { return nil }
        if escaped {
            guard let text = unescape(range) else { return nil }
            return Field.allCases.first { $0.name.description == text }.map { .field($0) } ?? .other
        }
        let key = UnsafeRawBufferPointer(rebasing: bytes[range])
        for field in Field.allCases where field.name.utf8CodeUnitCount == key.count {
            if memcmp(field.name.utf8Start, key.baseAddress!, key.count) == 0 { return .field(field) }
        }
        guard String(validating: key, as: UTF8.self) != nil else { return nil }
        return .other
    }

    /// A string value, or nil when the next value is not a string.
    private mutating func string() -> String? {
        guard let (range, escaped) = rawString() else { return nil }
        return text(range, escaped: escaped)
    }

    /// The text of a string's bytes; nil for an invalid escape or invalid UTF-8.
    private func text(_ range: Range<Int>, escaped: Bool) -> String? {
        escaped ? unescape(range) : String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// A string value that often repeats the previous one: the same bytes give the same `String`.
    private mutating func repeatedString(_ last: WritableKeyPath<Self, (bytes: UnsafeRawBufferPointer, text: String)?>) -> String? {
        guard let (range, escaped) = rawString() else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[range])
        if !escaped, let previous = self[keyPath: last], previous.bytes.count == raw.count,
            raw.isEmpty || memcmp(previous.bytes.baseAddress!, raw.baseAddress!, raw.count) == 0
        {
            return previous.text
        }
        guard let text = text(range, escaped: escaped) else { return nil }
        if !escaped { self[keyPath: last] = (raw, text) }
        return text
    }

    private mutating func timestamp() -> Date? {
        guard let (range, escaped) = rawString(), !escaped else { return nil }
        return RFC3339.parse(utf8: Array(UnsafeRawBufferPointer(rebasing: bytes[range])))
    }

    /// A JSON number as an exact `Decimal`.
    private mutating func number() -> Decimal? {
        guard let range = numberToken() else { return nil }
        let token = UnsafeRawBufferPointer(rebasing: bytes[range])
        if let value = Self.plainDecimal(token) { return value }
        let text = String(decoding: token, as: UTF8.self)
        guard let value = Decimal(string: text, locale: nil), !value.isNaN else { return nil }
        return value
    }

    /// A valid number token without an exponent and of at most 18 digits, made from its digits: the
    /// value `Decimal(string:)` gives, several times faster. Nil for any other token.
    static func plainDecimal(_ token: UnsafeRawBufferPointer) -> Decimal? {
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var negative = false
        var afterPoint = false
        for (offset, byte) in token.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                guard digits <= 18 else { return nil }
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                if afterPoint { scale += 1 }
            case UInt8(ascii: "-") where offset == 0:
                negative = true
            case UInt8(ascii: "."):
                afterPoint = true
            default:
                return nil
            }
        }
        // A Decimal zero has no sign (a negative one would be NaN).
        if mantissa == 0 { return Decimal(0) }
        return Decimal(sign: negative ? .minus : .plus, exponent: -scale, significand: Decimal(mantissa))
    }

    // MARK: Tokens

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func takeLiteral(_ literal: StaticString) -> Bool {
        skipWhitespace()
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count, memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0 else { return false }
        index += count
        return true
    }

    /// The bytes between a string's quotes, and whether they hold escapes. Control characters are invalid.
    private mutating func rawString() -> (Range<Int>, escaped: Bool)? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var escaped = false
        // Eight bytes at a time while none of them is a quote, a backslash or a control character; the
        // byte loop below takes over from the word that holds one.
        while index + 8 <= bytes.count, !Self.holdsQuoteBackslashOrControl(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start..<index - 1, escaped)
            }
            if byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 1
            }
            index += 1
        }
        return nil
    }

    /// Whether any of the eight bytes is `"` (0x22), `\\` (0x5C) or below 0x20 (bit tricks that test every
    /// byte at once; they answer exactly whether one exists, not which).
    static func holdsQuoteBackslashOrControl(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func holdsZero(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        let quote = holdsZero(word ^ (ones &* 0x22))
        let backslash = holdsZero(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs != 0
        return quote || backslash || control
    }

    /// The text of string bytes holding escapes; nil for an invalid escape, a lone surrogate or invalid UTF-8.
    private func unescape(_ range: Range<Int>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var position = range.lowerBound
        func hex4(at offset: Int) -> UInt32? {
            guard offset + 4 <= range.upperBound else { return nil }
            var value: UInt32 = 0
            for byte in bytes[offset..<offset + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while position < range.upperBound {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                position += 1
                continue
            }
            guard position + 1 < range.upperBound else { return nil }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(at: position) else { return nil }
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard position + 6 <= range.upperBound, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u"), let low = hex4(at: position + 2), (0xDC00...0xDFFF).contains(low)
                    else { return nil }
                    position += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    return nil
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default:
                return nil
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// The bytes of a number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. Nil too for a number of
    /// more than ``JSONNumberGuard/maximumDigits`` digits before its exponent: such a page is left to the
    /// guard, which refuses any whose significant digits are too many, and to the decoder.
    private mutating func numberToken() -> Range<Int>? {
        skipWhitespace()
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - first
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return nil }
        var mantissaDigits = 1
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            mantissaDigits = digits()
            guard mantissaDigits > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fraction = digits()
            guard fraction > 0 else { return nil }
            mantissaDigits += fraction
        }
        guard mantissaDigits <= JSONNumberGuard.maximumDigits else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        }
        return start..<index
    }

    /// Checks and skips any JSON value.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth <= 64 else { return false }
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"):
            index += 1
            if take(UInt8(ascii: "}")) { return true }
            repeat {
                guard key() != nil, take(UInt8(ascii: ":")), skipValue(depth: depth + 1) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            index += 1
            if take(UInt8(ascii: "]")) { return true }
            repeat {
                guard skipValue(depth: depth + 1) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]"))
        case UInt8(ascii: "t"): return takeLiteral("true")
        case UInt8(ascii: "f"): return takeLiteral("false")
        case UInt8(ascii: "n"): return takeLiteral("null")
        default: return numberToken() != nil
        }
    }
}
