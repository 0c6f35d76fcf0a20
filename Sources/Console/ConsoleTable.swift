import Foundation
import TextOutput

/// A table as every console page shows it: headers in words, numbers grouped and rounded with the exact
/// value on hover, long text cut with the whole text on hover, ids whole on one line, and headers that
/// sort the rows.
///
/// Sorting is done by the server, so it works without JavaScript and a sorted page can be linked to: a
/// header links to the same page with `sort=TABLE:COLUMN:asc|desc`. Numbers sort by value, text by its
/// words (case-insensitive), and empty cells last in either direction.
struct ConsoleTable {
    struct Header {
        var title: String
        var href: String
        /// `ascending` or `descending` when the rows are sorted by this column (`aria-sort`).
        var sorted: String?
        var numeric: Bool
        var arrow: String { sorted == "ascending" ? " ▲" : sorted == "descending" ? " ▼" : "" }
    }

    /// A cell as shown, with the exact text on hover when the shown text differs; `cellClass` is its class:
    /// `num` (right-aligned) or `id` (never wrapped). (Names no page model uses: Mustache looks a missing
    /// value up in the enclosing contexts.)
    struct Cell {
        var text: String?
        var full: String?
        var cellClass: String?

        init(_ text: String?, column: String, width: Int = 48) {
            let isID = TableOutput.isIdentifier(column)
            let shown = text.map { isID ? $0 : TableOutput.display($0, width: width) }
            self.text = shown
            self.full = shown == text ? nil : text
            self.cellClass = isID ? "id" : (text.map { TableOutput.isNumber($0) } ?? false) ? "num" : nil
        }
    }

    struct Row { var cells: [Cell] }

    /// How a request asks a page's tables to be sorted.
    struct Sort: Equatable {
        var table: String
        var column: String
        var descending: Bool

        init(table: String, column: String, descending: Bool) {
            self.table = table
            self.column = column
            self.descending = descending
        }

        /// `TABLE:COLUMN:asc|desc`; nil for anything else.
        init?(_ text: String?) {
            guard let parts = text?.split(separator: ":", omittingEmptySubsequences: false), parts.count == 3,
                parts[2] == "asc" || parts[2] == "desc"
            else { return nil }
            self.init(table: String(parts[0]), column: String(parts[1]), descending: parts[2] == "desc")
        }

        var text: String { "\(table):\(column):\(descending ? "desc" : "asc")" }
    }

    var id: String
    var title: String?
    var headers: [Header]
    var rows: [Row]

    /// `columns` are the data's names (`customer_id`); `query` is the page's query without `sort`, so a
    /// header's link keeps the page as it is. `sort` applies when it names this table and one of its columns.
    /// With `linkTable`, headers sort that table of the page at `path` instead (a summary linking to its report).
    init(
        id: String, title: String? = nil, columns: [String], rows: [[String?]], sort: Sort?, path: String,
        query: [(String, String)], linkTable: String? = nil, cellWidth: Int = 48
    ) {
        self.id = id
        self.title = title
        let active = sort.flatMap { $0.table == id && columns.contains($0.column) ? $0 : nil }
        let numeric = columns.indices.map { index in
            rows.contains { $0[index].map(TableOutput.isNumber) ?? false }
                && rows.allSatisfy { row in row[index].map { $0.isEmpty || TableOutput.isNumber($0) } ?? true }
        }
        var ordered = rows
        if let active, let index = columns.firstIndex(of: active.column) {
            ordered = Self.sorted(rows, by: index, numeric: numeric[index], descending: active.descending)
        }
        headers = columns.enumerated().map { index, column in
            let isActive = active?.column == column
            // A number column sorts largest first, a text column A to Z; a second click reverses it.
            let descending = isActive ? !active!.descending : numeric[index]
            let target = linkTable ?? id
            let link = query + [("sort", Sort(table: target, column: column, descending: descending).text)]
            return Header(
                title: TableOutput.header(column), href: "\(path)?\(FormFields.encode(link))#\(target)",
                sorted: isActive ? (active!.descending ? "descending" : "ascending") : nil, numeric: numeric[index])
        }
        self.rows = ordered.map { row in
            Row(cells: zip(columns, row).map { Cell($1, column: $0, width: cellWidth) })
        }
    }

    /// Stable: rows that compare equal keep their order. Empty cells go last both ways.
    static func sorted(_ rows: [[String?]], by index: Int, numeric: Bool, descending: Bool) -> [[String?]] {
        let keyed = rows.enumerated().map { position, row -> (Int, [String?], Decimal?, String?) in
            let text = row[index].flatMap { $0.isEmpty ? nil : $0 }
            return (position, row, numeric ? text.flatMap { Decimal(string: $0) } : nil, text?.lowercased())
        }
        return keyed.sorted { left, right in
            let leftEmpty = numeric ? left.2 == nil : left.3 == nil
            let rightEmpty = numeric ? right.2 == nil : right.3 == nil
            if leftEmpty != rightEmpty { return rightEmpty }
            if !leftEmpty {
                if numeric, let a = left.2, let b = right.2, a != b { return descending ? a > b : a < b }
                if !numeric, let a = left.3, let b = right.3, a != b { return descending ? a > b : a < b }
            }
            return left.0 < right.0
        }.map(\.1)
    }

    /// The query of a request without its `sort`.
    static func query(_ fields: FormFields) -> [(String, String)] {
        fields.pairs.filter { $0.0 != "sort" && !$0.1.isEmpty }
    }

    static let template = """
        <div class="scroll"><table class="sortable" id="{{id}}">
        <thead><tr>{{#headers}}<th scope="col"{{#numeric}} class="num"{{/numeric}}{{#sorted}} aria-sort="{{.}}"{{/sorted}}><a href="{{href}}">{{title}}{{arrow}}</a></th>{{/headers}}</tr></thead>
        <tbody>{{#rows}}<tr>{{#cells}}<td{{#cellClass}} class="{{.}}"{{/cellClass}}>{{#text}}<bdi{{#full}} title="{{.}}"{{/full}}>{{text}}</bdi>{{/text}}</td>{{/cells}}</tr>{{/rows}}</tbody>
        </table></div>
        """
}
