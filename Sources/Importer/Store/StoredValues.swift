public import Metronome
public import Postgres

// The kinds and states stored as text columns decode strictly: a value this binary does not know is an
// error, never a silent default (a usage metric read as revenue, an unknown connection status as
// `invalid`, a missing day as 1970 that would backfill everything since).

extension BusinessMetric.Kind: PostgresDecodable, PostgresEncodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Self(rawValue: text) else { throw PostgresError(kind: .client, message: "unknown metric kind \"\(text)\"") }
        self = value
    }

    public var postgresText: String? { rawValue }
}

extension LabelSource: PostgresDecodable, PostgresEncodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Self(rawValue: text) else { throw PostgresError(kind: .client, message: "unknown label source \"\(text)\"") }
        self = value
    }

    public var postgresText: String? { rawValue }
}

extension RevenueBasis: PostgresDecodable, PostgresEncodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Self(rawValue: text) else { throw PostgresError(kind: .client, message: "unknown revenue basis \"\(text)\"") }
        self = value
    }

    public var postgresText: String? { rawValue }
}

extension ConnectionRecord.Status: PostgresDecodable, PostgresEncodable {
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Self(rawValue: text) else { throw PostgresError(kind: .client, message: "unknown connection status \"\(text)\"") }
        self = value
    }

    public var postgresText: String? { rawValue }
}

extension PostgresRow {
    /// A `date` column selected as text (`day::text`), strictly: a value that is no day is an error.
    public func decodeDay(at index: Int) throws -> UTCDay {
        try Self.day(try decode(String.self, at: index))
    }

    /// The same, by the column's name.
    public func decodeDay(column name: String) throws -> UTCDay {
        try Self.day(try decode(String.self, column: name))
    }

    private static func day(_ text: String) throws -> UTCDay {
        guard let day = UTCDay(text) else { throw PostgresError(kind: .client, message: "not a day: \"\(text)\"") }
        return day
    }
}
