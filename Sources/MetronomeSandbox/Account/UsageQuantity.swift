#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One day's usage value as `significand × 10^exponent`: exact, and cheap to write as JSON text.
///
/// Usage is computed per request, and a usage page writes 200 values: formatting them through
/// `Decimal` would dominate the sandbox's CPU time, so the text is written from the integer.
struct UsageQuantity: Hashable, Sendable {
    let significand: Int64
    let exponent: Int

    static let zero = UsageQuantity(significand: 0, exponent: 0)

    var decimal: Decimal {
        Decimal(
            sign: significand < 0 ? .minus : .plus, exponent: exponent,
            significand: Decimal(significand.magnitude))
    }

    /// The same text as `Decimal`'s description: no exponent, no trailing fractional zeros.
    var text: String {
        var digits = significand.magnitude
        var scale = -exponent
        // Trailing zeros of a fraction are not written.
        while scale > 0, digits % 10 == 0, digits != 0 {
            digits /= 10
            scale -= 1
        }
        if digits == 0 { return "0" }
        let whole = String(digits)
        let sign = significand < 0 ? "-" : ""
        if scale <= 0 { return sign + whole + String(repeating: "0", count: -scale) }
        if whole.utf8.count > scale {
            let point = whole.index(whole.endIndex, offsetBy: -scale)
            return sign + String(whole[..<point]) + "." + String(whole[point...])
        }
        return sign + "0." + String(repeating: "0", count: scale - whole.utf8.count) + whole
    }
}
