/// The rows and command status of one statement, copied out of libpq before its result is freed.
public struct PostgresResult: Sendable, RandomAccessCollection {
    public let columns: PostgresColumns
    public let rows: [PostgresRow]
    /// Rows inserted, updated, deleted, copied or returned, from the command tag (`PQcmdTuples`).
    public let affectedRows: Int
    /// The command tag, e.g. `INSERT 0 3`.
    public let commandTag: String

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }

    /// The only row, or an error when there is none or more than one.
    public func single() throws(PostgresError) -> PostgresRow {
        guard rows.count == 1 else { throw .client("expected exactly one row, got \(rows.count)") }
        return rows[0]
    }
}

/// Column names and type OIDs, shared by every row of a result.
public final class PostgresColumns: Sendable {
    public let names: [String]
    public let typeOIDs: [UInt32]
    private let indexByName: [String: Int]

    init(names: [String], typeOIDs: [UInt32]) {
        self.names = names
        self.typeOIDs = typeOIDs
        var indexByName: [String: Int] = [:]
        for (index, name) in names.enumerated() where indexByName[name] == nil { indexByName[name] = index }
        self.indexByName = indexByName
    }

    public func index(of name: String) -> Int? { indexByName[name] }
}

/// One row: every value in Postgres text format (`nil` is SQL NULL), decoded on demand.
public struct PostgresRow: Sendable {
    public let columns: PostgresColumns
    public let values: [String?]

    /// Decodes column `index`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws(PostgresError) -> T {
        guard values.indices.contains(index) else {
            throw .client("column index \(index) out of range (\(values.count) columns)")
        }
        guard let text = values[index] else {
            do { return try T.postgresNull() } catch { throw .client("column \(columns.names[index]): \(error.message)") }
        }
        return try T(postgresText: text)
    }

    /// Decodes the column called `name`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws(PostgresError) -> T {
        guard let index = columns.index(of: name) else { throw .client("no column named \(name)") }
        return try decode(type, at: index)
    }

    /// The raw text of the column called `name` (nil for NULL or a missing column).
    public subscript(name: String) -> String? {
        columns.index(of: name).flatMap { values[$0] }
    }
}
