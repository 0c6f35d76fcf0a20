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

    public init() {}

    public func configuration(applicationName: String) -> PostgresConfiguration {
        var configuration = PostgresConfiguration.fromEnvironment(
            ProcessInfo.processInfo.environment, applicationName: applicationName)
        if let databaseURL { configuration.connectionString = databaseURL }
        return configuration
    }
}
