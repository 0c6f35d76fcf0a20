import Foundation

/// How rows are written: aligned for people, CSV and JSON for machines.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json
}

/// Renders rows of string cells. Numbers and amounts arrive already formatted as exact decimal text.
public struct TableOutput {
    public var columns: [String]
    public var rows: [[String?]]

    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }

    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .table: table()
        case .csv: csv()
        case .json: json()
        }
    }

    /// Aligned columns; NULL shows as an empty cell.
    public func table() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], (cell ?? "").count) }
        }
        func line(_ cells: [String?]) -> String {
            cells.enumerated().map { index, cell in
                let text = cell ?? ""
                return index == cells.count - 1 ? text : text + String(repeating: " ", count: widths[index] - text.count)
            }.joined(separator: "  ")
        }
        return ([line(columns)] + rows.map(line)).joined(separator: "\n")
    }

    /// RFC 4180: a header row, CRLF-free fields quoted when they hold a comma, quote or newline.
    public func csv() -> String {
        func field(_ value: String?) -> String {
            guard let value else { return "" }
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return ([columns.map(field).joined(separator: ",")] + rows.map { $0.map(field).joined(separator: ",") })
            .joined(separator: "\n")
    }

    /// An array of objects with the column names as keys; NULL is `null`.
    public func json() -> String {
        let objects = rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(columns, row.map { $0.map(JSONValue.string) ?? .null }))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(objects)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

enum JSONValue: Encodable {
    case string(String)
    case null

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

