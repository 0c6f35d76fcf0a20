public import Foundation

/// A decimal amount as an integer and a scale, `±magnitude × 10^-scale`: exact like `Decimal`, but
/// parsed, prorated and encoded with integer arithmetic and no allocation, which is what lets a cost
/// import keep up with Postgres.
///
/// The range is what a cost needs: at most 38 significant digits, at most 28 of them before the decimal
/// point, and at most ``maximumScale`` after it.
public struct ExactAmount: Sendable, Hashable, CustomStringConvertible {
    /// The absolute value times `10^scale`.
    public var magnitude: UInt128
    public var negative: Bool
    /// Digits after the decimal point (also Postgres's display scale for the value).
    public var scale: Int

    public static let maximumScale = 1000
    /// Values must stay below `10^28` so that rounding shares to 10 places fits in 128 bits.
    static let integerLimit = pow10(28)

    public init(magnitude: UInt128, negative: Bool = false, scale: Int) {
        precondition(scale >= 0 && scale <= Self.maximumScale, "scale out of range")
        self.magnitude = magnitude
        self.negative = negative && magnitude != 0
        self.scale = scale
    }

    /// Parses a number as FOCUS writes it: optional sign, digits, optional fraction, optional exponent
    /// (`-12.5`, `.5`, `1.5E-7`). Nil for anything else or out of range.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)
        guard let value = bytes.withUnsafeMutableBufferPointer({ ExactAmount(parsing: UnsafeBufferPointer($0)) }) else {
            return nil
        }
        self = value
    }

    /// The same as ``init(_:)`` over bytes.
    init?(parsing bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        let count = bytes.count
        var negative = false
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt128 = 0
        var digits = 0
        var significant = 0
        var fractionDigits = 0
        var seenPoint = false
        while index < count {
            let byte = bytes[index]
            if byte >= 48, byte <= 57 {
                digits += 1
                if seenPoint { fractionDigits += 1 }
                if significant > 0 || byte != 48 {
                    significant += 1
                    guard significant <= 38 else { return nil }
                    mantissa = mantissa &* 10 &+ UInt128(byte &- 48)
                }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        var exponent = 0
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponentDigits = 0
            while index < count, bytes[index] >= 48, bytes[index] <= 57, exponentDigits < 4 {
                exponent = exponent * 10 + Int(bytes[index] - 48)
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == count else { return nil }
        var scale = fractionDigits - exponent
        if scale < 0 {
            // 1.5E3: move the point right by multiplying out.
            guard -scale <= 38, mantissa == 0 || mantissa <= UInt128.max / Self.pow10(-scale) else { return nil }
            mantissa *= Self.pow10(-scale)
            scale = 0
        }
        guard scale <= Self.maximumScale else { return nil }
        guard scale >= 38 || mantissa / Self.pow10(scale) < Self.integerLimit else { return nil }
        self.init(magnitude: mantissa, negative: negative, scale: scale)
    }

    /// The same value with `scale` digits after the point (only ever more digits: no rounding).
    func rescaled(to newScale: Int) -> ExactAmount {
        guard newScale > scale else { return self }
        return ExactAmount(magnitude: magnitude * Self.pow10(newScale - scale), negative: negative, scale: newScale)
    }

    /// Plain digits: `-0.0104`, `12`, `3.2258064516`.
    public var description: String {
        var digits = String(magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return negative ? "-" + digits : digits
    }

    /// The exact `Decimal` (for reports and tests; the import never needs it).
    public var decimal: Decimal { Decimal(string: description, locale: Locale(identifier: "en_US_POSIX"))! }

    /// The exact amount of a `Decimal`.
    public init?(_ decimal: Decimal) {
        guard decimal.isFinite else { return nil }
        self.init(decimal.description)
    }

    /// `10^exponent` for 0 ≤ exponent ≤ 38.
    @inline(__always)
    static func pow10(_ exponent: Int) -> UInt128 { powersOfTen[exponent] }

    private static let powersOfTen: [UInt128] = {
        var powers: [UInt128] = [1]
        for _ in 1...38 { powers.append(powers.last! * 10) }
        return powers
    }()
}
