public import ArgumentParser
import Foundation
public import Postgres

/// `--database-url`, shared by every command that talks to Postgres.
public struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "Postgres URI or conninfo. Defaults to DATABASE_URL; unset parts come from PGHOST, PGPORT, PGUSER, …",
            valueName: "url"))
    public var databaseURL: String?

    @Option(
        help: ArgumentHelp(
            "Longest a statement may run, in seconds; 0: no limit. Default 60, or what DATABASE_URL's options or PGOPTIONS set.",
            valueName: "seconds"))
    public var statementTimeout: Double?

    @Option(
        help: ArgumentHelp(
            "Longest a bulk statement may run (a cost import's COPY, a migration, pruning jobs), in seconds; 0: no limit.",
            valueName: "seconds"))
    public var bulkStatementTimeout: Double = 0

    public init() {}

    static let passwordWarning =
        "warning: --database-url holds a password, which other users of this machine can read in the process list; "
        + "put it in DATABASE_URL, PGPASSWORD or ~/.pgpass instead"

    static func carriesPassword(_ url: String) -> Bool {
        CredentialRedaction.password(in: url).map { !$0.isEmpty } ?? false
    }

    public func validate() throws {
        if let statementTimeout, !(statementTimeout >= 0 && statementTimeout <= 86_400) {
            throw ValidationError("--statement-timeout must be 0…86400 seconds")
        }
        guard bulkStatementTimeout >= 0 && bulkStatementTimeout <= 604_800 else {
            throw ValidationError("--bulk-statement-timeout must be 0…604800 seconds")
        }
    }

    public func configuration(applicationName: String) -> PostgresConfiguration {
        var configuration = PostgresConfiguration.fromEnvironment(
            ProcessInfo.processInfo.environment, applicationName: applicationName)
        if let databaseURL {
            if Self.carriesPassword(databaseURL) {
                FileHandle.standardError.write(Data((Self.passwordWarning + "\n").utf8))
            }
            configuration.connectionString = databaseURL
            if configuration.setsStatementTimeout(pgOptions: ProcessInfo.processInfo.environment["PGOPTIONS"]) {
                configuration.statementTimeoutMilliseconds = nil
            }
        }
        if let statementTimeout { configuration.statementTimeoutMilliseconds = Int((statementTimeout * 1_000).rounded()) }
        configuration.bulkStatementTimeoutMilliseconds = Int((bulkStatementTimeout * 1_000).rounded())
        return configuration
    }
}
