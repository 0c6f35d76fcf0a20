public import Logging
public import Postgres

/// Applies numbered migrations in order, each in its own transaction, recording them in
/// `schema_migrations`. A session-level advisory lock makes concurrent runs (two workers starting at
/// once) safe: the second waits, then finds nothing left to do.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    private let logger: Logger

    /// The state of one migration.
    public struct Status: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var appliedAt: String?
        /// True when an applied migration's SQL no longer matches what was applied.
        public var modified: Bool
        public var isApplied: Bool { appliedAt != nil }
    }

    public struct MigrationError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(migrations: [Migration] = Migration.embedded, logger: Logger) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies every pending migration and returns the versions applied by this call.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [Int] {
        try checkVersionsUnique()
        try await connection.query("SELECT pg_advisory_lock(hashtext(current_schema() || '.schema_migrations'))")
        do {
            try await connection.simpleQuery(Self.createTable)
            let applied = try await applyPending(on: connection)
            try await connection.query("SELECT pg_advisory_unlock(hashtext(current_schema() || '.schema_migrations'))")
            return applied
        } catch {
            if !connection.isBroken {
                _ = try? await connection.query(
                    "SELECT pg_advisory_unlock(hashtext(current_schema() || '.schema_migrations'))")
            }
            throw error
        }
    }

    /// Every known migration, applied or pending, plus applied versions this build does not know.
    public func status(on connection: PostgresConnection) async throws -> [Status] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").single()
        guard try exists.decode(Bool.self, at: 0) else {
            return migrations.map { Status(version: $0.version, name: $0.name, appliedAt: nil, modified: false) }
        }
        let rows = try await connection.query(
            "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS applied_at FROM schema_migrations ORDER BY version"
        )
        var applied: [Int: (name: String, checksum: String, at: String)] = [:]
        for row in rows {
            applied[try row.decode(Int.self, column: "version")] = (
                try row.decode(String.self, column: "name"), try row.decode(String.self, column: "checksum"),
                try row.decode(String.self, column: "applied_at")
            )
        }
        var result = migrations.map { migration in
            let record = applied[migration.version]
            return Status(
                version: migration.version, name: migration.name, appliedAt: record?.at,
                modified: record.map { $0.checksum != migration.checksum } ?? false)
        }
        let known = Set(migrations.map(\.version))
        for (version, record) in applied where !known.contains(version) {
            result.append(Status(version: version, name: record.name, appliedAt: record.at, modified: false))
        }
        return result.sorted { $0.version < $1.version }
    }

    private func applyPending(on connection: PostgresConnection) async throws -> [Int] {
        let rows = try await connection.query("SELECT version, checksum FROM schema_migrations")
        var appliedChecksums: [Int: String] = [:]
        for row in rows {
            appliedChecksums[try row.decode(Int.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        var applied: [Int] = []
        for migration in migrations {
            if let checksum = appliedChecksums[migration.version] {
                if checksum != migration.checksum {
                    logger.warning(
                        "applied migration differs from this build's copy",
                        metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
                }
                continue
            }
            logger.info(
                "applying migration",
                metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            try await connection.transaction { connection in
                try connection.useBulkStatementTimeout()
                try connection.simpleQuery(migration.sql)
                try connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, migration.checksum])
            }
            applied.append(migration.version)
        }
        return applied
    }

    private func checkVersionsUnique() throws {
        var seen = Set<Int>()
        for migration in migrations where !seen.insert(migration.version).inserted {
            throw MigrationError(description: "two migrations share version \(migration.version)")
        }
    }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
}
