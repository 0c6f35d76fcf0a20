public import Foundation

/// Exact decimal helpers: amounts are `Decimal` end to end, never binary floating point.
public enum DecimalMath {
    /// `value` rounded half away from zero to `scale` decimal places.
    public static func rounded(_ value: Decimal, scale: Int) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }

    /// Plain digits without exponent or grouping (`-1234.5`), trailing fractional zeros kept as computed.
    public static func text(_ value: Decimal) -> String {
        value.description
    }

    /// `numerator / denominator` rounded to `scale` places, or nil when the denominator is zero (undefined).
    public static func divide(_ numerator: Decimal, _ denominator: Decimal, scale: Int) -> Decimal? {
        guard !denominator.isZero else { return nil }
        return rounded(numerator / denominator, scale: scale)
    }

    /// Parses a decimal number as FOCUS writes it: optional sign, digits, optional fraction, optional
    /// exponent (`1.5E-7`). Returns nil for anything else (empty, `NaN`, grouping separators, …).
    public static func parse(_ text: some StringProtocol) -> Decimal? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { parse(UnsafeBufferPointer($0)) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Decimal? {
        guard let shape = NumberShape(bytes) else { return nil }
        if !shape.hasExponent, shape.significantDigits <= 18 {
            var mantissa: UInt64 = 0
            var fractionDigits = 0
            var seenPoint = false
            for byte in bytes {
                if byte == UInt8(ascii: ".") {
                    seenPoint = true
                } else if byte >= 48, byte <= 57 {
                    mantissa = mantissa &* 10 &+ UInt64(byte - 48)
                    if seenPoint { fractionDigits += 1 }
                }
            }
            return Decimal(
                sign: shape.negative ? .minus : .plus, exponent: -fractionDigits, significand: Decimal(mantissa))
        }
        return Decimal(string: String(decoding: bytes, as: UTF8.self), locale: Locale(identifier: "en_US_POSIX"))
    }
}

/// The syntactic shape of a decimal number's text, checked byte by byte.
struct NumberShape {
    var negative = false
    var hasExponent = false
    var hasPoint = false
    var significantDigits = 0
    var fractionDigits = 0

    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        let count = bytes.count
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var digits = 0
        var leading = true
        while index < count {
            let byte = bytes[index]
            if byte >= 48, byte <= 57 {
                digits += 1
                if byte != 48 { leading = false }
                if !leading { significantDigits += 1 }
                if hasPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !hasPoint {
                hasPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            hasExponent = true
            index += 1
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            var exponentDigits = 0
            while index < count, bytes[index] >= 48, bytes[index] <= 57, exponentDigits < 4 {
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { return nil }
        }
        guard index == count, significantDigits <= 38 else { return nil }
    }
}
