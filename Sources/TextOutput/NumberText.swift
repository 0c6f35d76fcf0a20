public import Foundation

/// Numbers for people: thousands separators, and amounts rounded for reading. CSV and JSON keep the exact
/// values; only tables and pages use these.
public enum NumberText {
    /// `12775` → `12,775`.
    public static func grouped(_ value: Int) -> String {
        group(String(value.magnitude), negative: value < 0, fraction: "")
    }

    /// `1234567.891` → `1,234,567.89` with `fractionDigits: 2` (rounded half away from zero); without it,
    /// every digit of the exact value is kept.
    public static func grouped(_ value: Decimal, fractionDigits: Int? = nil) -> String {
        var exact = value
        if let fractionDigits {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &exact, fractionDigits, .plain)  // half away from zero
            exact = rounded
        }
        var text = "\(exact)"
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        let parts = text.split(separator: ".", maxSplits: 1)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        if let fractionDigits, fractionDigits > 0 {
            fraction += String(repeating: "0", count: max(0, fractionDigits - fraction.count))
        }
        return group(String(parts.first ?? "0"), negative: negative && exact != 0, fraction: fraction)
    }

    private static func group(_ digits: String, negative: Bool, fraction: String) -> String {
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        let whole = groups.isEmpty ? "0" : groups.joined(separator: ",")
        return (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
    }
}
