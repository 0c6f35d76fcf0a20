import Foundation

/// How rows are written: aligned for people, CSV and JSON for machines.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json
}

/// What a column holds, for output typed for machines: JSON writes counts as numbers and flags as
/// booleans. Text (amounts included: exact decimals stay strings) is the default.
public enum ColumnKind: Sendable {
    case text, count, flag
    /// Text a table shows whole, however long (a filter, a migration's name).
    case wholeText
}

/// Renders rows of string cells. Numbers and amounts arrive already formatted as exact decimal text.
///
/// The table is for people: headers in words (`customer_id` → `Customer ID`), numbers with thousands
/// separators and aligned right, and text longer than ``cellWidth`` cut with "…" so that one long name
/// cannot pad every row. CSV and JSON are for machines: every character, snake_case keys, typed values.
public struct TableOutput {
    public var columns: [String]
    public var rows: [[String?]]
    public var kinds: [ColumnKind]

    /// The most characters a text cell shows in a table.
    public static let cellWidth = 28

    public init(columns: [String], rows: [[String?]], kinds: [String: ColumnKind] = [:]) {
        self.columns = columns
        self.rows = rows
        self.kinds = columns.map { kinds[$0] ?? .text }
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
        let header = columns.map(Self.header)
        // Ids (`id`, `…_id`) are shown whole and as they are typed back: never cut, never grouped.
        let identifier = columns.indices.map { Self.isIdentifier(columns[$0]) || kinds[$0] == .wholeText }
        let body = rows.map { row in
            row.enumerated().map { index, cell in cell.map { index < identifier.count && identifier[index] ? $0 : Self.display($0) } }
        }
        let numeric = columns.indices.map { index in
            rows.contains { index < $0.count && $0[index] != nil } && rows.allSatisfy { index >= $0.count || $0[index].map(Self.isNumber) ?? true }
        }
        var widths = header.map(\.count)
        for row in body {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], (cell ?? "").count) }
        }
        func line(_ cells: [String?]) -> String {
            cells.enumerated().map { index, cell in
                let text = cell ?? ""
                let padding = String(repeating: " ", count: max(0, widths[index] - text.count))
                if numeric[index] { return padding + text }
                return index == cells.count - 1 ? text : text + padding
            }.joined(separator: "  ")
        }
        return ([line(header)] + body.map(line)).joined(separator: "\n")
    }

    /// Long column names shown shorter, so that a report fits a 120-column terminal.
    static let shortHeaders = [
        "gross_margin_pct": "Margin %", "cost_pct_of_revenue": "Cost %", "gross_profit": "Profit", "allocated_shared_cost": "Shared", "direct_cost": "Direct",
        "shared_cost": "Shared", "cost_per_unit": "Per unit", "daily_average": "Daily avg", "usage_share_pct": "Usage %",
        "target_margin_pct": "Margin %", "previous_total": "Previous", "fastest_growing": "Fastest",
    ]

    /// `customer_id` → `Customer ID`, `share_pct` → `Share %`.
    public static func header(_ column: String) -> String {
        if let short = shortHeaders[column] { return short }
        let words = column.split(separator: "_").map { word -> String in
            switch word {
            case "id": "ID"
            case "pct": "%"
            case "url": "URL"
            case "eta": "ETA"
            case "cogs": "COGS"
            default: String(word)
            }
        }
        guard let first = words.first else { return column }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst()).joined(separator: " ")
    }

    /// A cell as a table shows it: numbers grouped by thousands, long text cut.
    public static func display(_ cell: String, width: Int = cellWidth) -> String {
        if isNumber(cell) { return NumberText.readable(cell) }
        let flat = cell.contains(where: \.isNewline) ? cell.split(whereSeparator: \.isNewline).joined(separator: " ") : cell
        guard flat.count > width else { return flat }
        return String(flat.prefix(width - 1)) + "…"
    }

    /// Whether a column holds ids (`id`, `…_id`): shown whole and as they are typed back, never cut or grouped.
    public static func isIdentifier(_ column: String) -> Bool { column == "id" || column.hasSuffix("_id") }

    /// A plain decimal number: `-12`, `3.50`, `1844448466666.66666667`.
    public static func isNumber(_ text: String) -> Bool {
        var digits = 0
        var dots = 0
        for (index, character) in text.enumerated() {
            if character == "-" && index == 0 { continue }
            if character == "." { dots += 1; continue }
            guard character.isASCII, character.isNumber else { return false }
            digits += 1
        }
        return digits > 0 && dots <= 1 && !text.hasSuffix(".") && !text.hasPrefix(".")
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

    /// An array of objects with the column names as keys; NULL is `null`, counts are numbers and flags
    /// booleans (see ``ColumnKind``).
    public func json() -> String {
        let objects = rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(columns, zip(kinds, row).map { kind, cell in Self.jsonValue(cell, kind) }))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(objects)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

extension TableOutput {
    static func jsonValue(_ cell: String?, _ kind: ColumnKind) -> JSONValue {
        guard let cell else { return .null }
        switch kind {
        case .count: return Int64(cell).map(JSONValue.integer) ?? .string(cell)
        case .flag: return ["true", "yes"].contains(cell) ? .bool(true) : ["false", "no"].contains(cell) ? .bool(false) : .string(cell)
        case .text, .wholeText: return .string(cell)
        }
    }
}

enum JSONValue: Encodable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}


/// Prose for a terminal: words wrapped at a width.
public enum TextWrap {
    /// `text` in lines of at most `width` characters (a word longer than that stands alone on its line);
    /// continuation lines start with `indent`.
    public static func lines(_ text: String, width: Int = 118, indent: String = "") -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = indent + word
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
