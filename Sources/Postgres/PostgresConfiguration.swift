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
    /// Server-side limit for one statement, so a hung statement never pins a connection thread forever.
    public var statementTimeoutMilliseconds: Int?
    /// Server-side limit for waiting on a lock.
    public var lockTimeoutMilliseconds: Int?
    /// Seconds libpq waits for the TCP/TLS connection.
    public var connectTimeoutSeconds: Int
    /// Schema to use instead of the server's default search path (tests run each in a fresh schema).
    public var searchPath: String?
    /// Distinct statements each session prepares and reuses (0 disables; needed behind a PgBouncer
    /// older than 1.21 in transaction mode).
    public var preparedStatementCacheSize: Int

    public init(
        connectionString: String = "", applicationName: String = "meterbridge",
        statementTimeoutMilliseconds: Int? = 60_000, lockTimeoutMilliseconds: Int? = nil,
        connectTimeoutSeconds: Int = 10, searchPath: String? = nil, preparedStatementCacheSize: Int = 256
    ) {
        self.preparedStatementCacheSize = preparedStatementCacheSize
        self.searchPath = searchPath
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// `DATABASE_URL` if set, otherwise only the `PG*` variables.
    public static func fromEnvironment(
        _ environment: [String: String], applicationName: String = "meterbridge"
    ) -> PostgresConfiguration {
        PostgresConfiguration(connectionString: environment["DATABASE_URL"] ?? "", applicationName: applicationName)
    }
}
