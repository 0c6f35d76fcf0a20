public import Foundation

/// Numbers for people: thousands separators, and amounts rounded for reading. CSV and JSON keep the exact
/// values; only tables and pages use these.
public enum NumberText {
    /// `12775` → `12,775`.
    public static func grouped(_ value: Int) -> String { groupThousands(String(value)) }

    /// `1234567.891` → `1,234,567.89` with `fractionDigits: 2` (rounded half away from zero, zeros added
    /// up to that many places); without it, every digit of the exact value is kept.
    public static func grouped(_ value: Decimal, fractionDigits: Int? = nil) -> String {
        guard let fractionDigits else { return groupThousands("\(value)") }
        var exact = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, fractionDigits, .plain)  // half away from zero
        var text = "\(rounded)"
        let places = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 } ?? 0
        if fractionDigits > places { text += (places == 0 ? "." : "") + String(repeating: "0", count: fractionDigits - places) }
        return groupThousands(text)
    }

    /// A number as it reads in a table or on a page: two decimals from 1 up (`11417.0117907708` →
    /// `11,417.01`), four significant digits below 1 (`0.000000123456` → `0.0000001235`), thousands
    /// grouped. `number` is a plain decimal (`-12`, `3.50`); the exact value stays in CSV and JSON.
    public static func readable(_ number: String) -> String {
        guard let dot = number.firstIndex(of: ".") else { return groupThousands(number) }
        let whole = number[..<dot].filter(\.isNumber)
        let fraction = number[number.index(after: dot)...]
        let places = whole.contains(where: { $0 != "0" }) ? 2 : fraction.prefix { $0 == "0" }.count + 4
        guard fraction.count > places, var value = Decimal(string: number) else { return groupThousands(number) }
        if places == 2 { return grouped(value, fractionDigits: 2) }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, places, .plain)
        return grouped(rounded)
    }

    /// `-1234567.5` → `-1,234,567.5`: commas between the thousands of the whole part of a decimal's text.
    static func groupThousands(_ number: String) -> String {
        let negative = number.hasPrefix("-")
        let unsigned = negative ? String(number.dropFirst()) : number
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = Array(parts[0])
        guard whole.count > 3 else { return number }
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (negative ? "-" : "") + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }
}
