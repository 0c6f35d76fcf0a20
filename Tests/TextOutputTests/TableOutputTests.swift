import Foundation
import Testing
@testable import TextOutput

/// Tables are for people, CSV and JSON for machines.
@Suite("Table output")
struct TableOutputTests {
    /// One 10,000-character name used to pad every row to about 10 kB: it is cut with "…" in the table and
    /// kept whole in CSV and JSON; ids are never cut.
    @Test func aLongNameIsCutInTheTableOnly() throws {
        let long = String(repeating: "n", count: 10_000)
        let id = "0a1b2c3d-0000-4000-8000-000000000001"
        let table = TableOutput(columns: ["customer", "customer_id", "amount"], rows: [[long, id, "5"], ["Acme", "c-1", "10"]])
        let lines = table.table().split(separator: "\n")
        #expect(lines.allSatisfy { $0.count < 120 }, "\(lines.map(\.count))")
        #expect(lines[1].contains(String(repeating: "n", count: TableOutput.cellWidth - 1) + "…"))
        #expect(lines[1].contains(id))
        #expect(table.csv().contains(long))
        #expect(table.json().contains(long))
    }

    /// Numbers get thousands separators and align right; ids and days do not change; headers are words.
    @Test func numbersAreGroupedAndHeadersReadAsWords() {
        let table = TableOutput(
            columns: ["id", "day", "total", "share_pct"], rows: [["12345", "2026-01-31", "1844448466666.66666667", "70"], ["7", "2026-02-01", "-1234", "5.5"]])
        let lines = table.table().split(separator: "\n").map(String.init)
        #expect(lines[0].contains("ID  Day"), "\(lines[0])")
        #expect(lines[0].contains("Total") && lines[0].hasSuffix("Share %"))
        #expect(lines[1].contains("12345 ") && lines[1].contains("2026-01-31"))
        #expect(lines[1].contains("1,844,448,466,666.67"), "rounded for reading: \(lines[1])")
        #expect(lines[2].contains("   -1,234"), "right-aligned: \(lines[2])")
        #expect(table.csv().contains("1844448466666.66666667"))
    }

    /// JSON is typed: counts are numbers and flags booleans; amounts stay exact strings.
    @Test func jsonIsTyped() throws {
        let table = TableOutput(
            columns: ["rows", "archived", "amount"], rows: [["12727", "false", "10.50"]], kinds: ["rows": .count, "archived": .flag])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(table.json().utf8)) as? [[String: Any]]).first
        #expect(object?["rows"] as? Int == 12727)
        #expect(object?["archived"] as? Bool == false)
        #expect(object?["amount"] as? String == "10.50")
    }

    /// Tables round for reading; CSV keeps every digit.
    @Test func numbersAreRoundedForReading() {
        #expect(NumberText.readable("11417.0117907708") == "11,417.01")
        #expect(NumberText.readable("20451.2") == "20,451.2")
        #expect(NumberText.readable("0.000000123456") == "0.0000001235")
        #expect(NumberText.readable("0.05350468") == "0.0535")
        #expect(NumberText.readable("-2.005") == "-2.01")
        #expect(NumberText.readable("12") == "12")
        #expect(TableOutput(columns: ["x"], rows: [["0.123456789"]]).csv().contains("0.123456789"))
    }

    @Test func numberText() {
        #expect(NumberText.grouped(12775) == "12,775" && NumberText.grouped(-999) == "-999")
        #expect(NumberText.grouped(Decimal(string: "1234567.891")!, fractionDigits: 2) == "1,234,567.89")
        #expect(NumberText.grouped(Decimal(string: "-0.005")!, fractionDigits: 2) == "-0.01")
        #expect(NumberText.grouped(Decimal(40), fractionDigits: 2) == "40.00")
    }
}
