import ArgumentParser
import Foundation
import CommandSupport
import TextOutput
import Importer
import Logging
import Postgres
import Schema

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (safe to run from several processes at once).",
        discussion: """
            Each migration runs in its own transaction and is recorded in schema_migrations. With \
            METERBRIDGE_SECRET_KEY set, tokens saved before they were bound to their connection are sealed \
            again (workers also do this when they start).

            Examples:
              meterbridge migrate
              meterbridge migrate --status
              DATABASE_URL=postgresql://admin@db:5432/meterbridge meterbridge migrate
            """)

    @Flag(help: "List every migration and whether it is applied; change nothing.") var status = false
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        do {
            try await migrate()
        } catch {
            throw DatabaseGuidance.explain(error, options: database)
        }
    }

    func migrate() async throws {
        let logger = LoggingSetup.bootstrap(label: "meterbridge.migrate")
        let connection = try await PostgresConnection.connect(
            database.configuration(applicationName: "meterbridge-migrate"), logger: logger)
        let migrator = Migrator(logger: logger)
        if status {
            let rows = try await migrator.status(on: connection)
            print(
                TableOutput(
                    columns: ["version", "name", "applied"],
                    rows: rows.map { row in
                        [String(row.version), row.name, row.appliedAt.map { $0 + (row.modified ? "  (file changed since)" : "") } ?? "pending"]
                    }, kinds: ["name": .wholeText]
                ).table())
            let pending = rows.filter { !$0.isApplied }.count
            print(pending == 0 ? "The schema is up to date." : "\(pending) migration(s) pending: run `meterbridge migrate`.")
        } else {
            let applied = try await migrator.migrate(on: connection)
            print(applied.isEmpty ? "Database is up to date." : "Applied migrations: \(applied.map(String.init).joined(separator: ", ")).")
            // Tokens saved before they were bound to their connection are sealed again, when the key is here.
            let environment = ProcessInfo.processInfo.environment
            if environment[TokenCipher.keyVariable].map({ !$0.isEmpty }) == true {
                let pool = PostgresConnectionPool(
                    configuration: database.configuration(applicationName: "meterbridge-migrate"), size: 1, logger: logger)
                let upgraded = try await ConnectionStore(pool: pool, environment: environment).upgradeLegacyTokens()
                await pool.close()
                if upgraded > 0 { print("Sealed \(upgraded) token(s) again, bound to their connection.") }
            }
        }
        await connection.close()
    }
}
