/// How to reach Postgres and how each session is set up.
///
/// `connectionString` is a libpq URI (`postgresql://user@host:5432/db?sslmode=verify-full`) or a
/// keyword/value conninfo (`host=… dbname=…`); anything it leaves out comes from the standard `PG*`
/// environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, …),
/// exactly as with `psql`.
public struct PostgresConfiguration: Sendable {
    public var connectionString: String
    /// Shown in `pg_stat_activity` (e.g. `meterbridge-worker`).
    public var applicationName: String
    /// Server-side limit for one statement, so a hung statement never pins a connection thread forever
    /// (nil: the server's or the connection string's own setting).
    public var statementTimeoutMilliseconds: Int?
    /// The limit for bulk statements (a cost import's COPY, migrations, pruning), which can rightly run
    /// for long; nil or 0: none. They set it for their own transaction only.
    public var bulkStatementTimeoutMilliseconds: Int?
    /// Server-side limit for waiting on a lock.
    public var lockTimeoutMilliseconds: Int?
    /// Seconds libpq waits for the TCP/TLS connection.
    public var connectTimeoutSeconds: Int
    /// Schema to use instead of the server's default search path (tests run each in a fresh schema).
    public var searchPath: String?
    /// Distinct statements each session prepares and reuses (0 disables; needed behind a PgBouncer
    /// older than 1.21 in transaction mode).
    public var preparedStatementCacheSize: Int
    /// Every transaction of the session is read only (`SET SESSION CHARACTERISTICS AS TRANSACTION READ
    /// ONLY`): a write fails with SQLSTATE 25006. For sessions that must never change anything.
    public var readOnly = false
    /// When the session's commits return (``CommitDurability``); `.flushed` leaves the server's setting.
    public var commitDurability = CommitDurability.flushed

    public init(
        connectionString: String = "", applicationName: String = "meterbridge",
        statementTimeoutMilliseconds: Int? = 60_000, lockTimeoutMilliseconds: Int? = nil,
        connectTimeoutSeconds: Int = 10, searchPath: String? = nil, preparedStatementCacheSize: Int = 256,
        bulkStatementTimeoutMilliseconds: Int? = nil
    ) {
        self.bulkStatementTimeoutMilliseconds = bulkStatementTimeoutMilliseconds
        self.preparedStatementCacheSize = preparedStatementCacheSize
        self.searchPath = searchPath
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// `DATABASE_URL` if set, otherwise only the `PG*` variables. A `statement_timeout` set there (in the
    /// URL's `options=-c statement_timeout=…` or in `PGOPTIONS`) is respected, not overridden.
    public static func fromEnvironment(
        _ environment: [String: String], applicationName: String = "meterbridge"
    ) -> PostgresConfiguration {
        var configuration = PostgresConfiguration(
            connectionString: environment["DATABASE_URL"] ?? "", applicationName: applicationName)
        if configuration.setsStatementTimeout(pgOptions: environment["PGOPTIONS"]) {
            configuration.statementTimeoutMilliseconds = nil
        }
        return configuration
    }

    /// Whether the connection string or `PGOPTIONS` sets `statement_timeout` itself.
    public func setsStatementTimeout(pgOptions: String?) -> Bool {
        let text = ((connectionString.removingPercentEncodingIfPossible) + " " + (pgOptions ?? "")).lowercased()
        return text.contains("statement_timeout")
    }
}

extension String {
    /// URIs may spell `options=-c%20statement_timeout%3D5000`.
    fileprivate var removingPercentEncodingIfPossible: String {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
