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
    /// exponent (`1.5E-7`). Returns nil for anything else (empty, `NaN`, grouping separators, …) and for
    /// numbers out of ``ExactAmount``'s range.
    public static func parse(_ text: some StringProtocol) -> Decimal? {
        ExactAmount(text)?.decimal
    }
}
