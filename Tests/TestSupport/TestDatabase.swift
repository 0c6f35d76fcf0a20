import Foundation
public import Logging
public import Postgres
import Schema

/// A fresh, migrated schema in the test database named by `DATABASE_URL` (or the `PG*` variables).
///
/// Every test gets its own schema, so tests run in parallel without seeing each other's rows. A test
/// that needs Postgres and finds none fails loudly: it never passes silently.
public struct TestDatabase: Sendable {
    public let configuration: PostgresConfiguration
    public let schema: String
    public static let logger = Logger(label: "meterbridge.tests")

    /// Creates an empty schema; applies every migration unless `migrated` is false.
    public static func make(migrated: Bool = true, function: String = #function) async throws -> TestDatabase {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DATABASE_URL"] != nil || environment["PGHOST"] != nil else {
            throw TestDatabaseError(
                description: "DATABASE_URL is not set: run the tests with scripts/test, which starts a Postgres")
        }
        let base = PostgresConfiguration.fromEnvironment(environment, applicationName: "meterbridge-tests")
        let prefix = function.prefix(while: { $0.isLetter || $0.isNumber }).lowercased().prefix(30)
        let schema = "t_\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresConnection.connect(base, logger: logger)
        try await admin.simpleQuery("CREATE SCHEMA \(PostgresConnection.quoteIdentifier(schema))")
        await admin.close()
        var configuration = base
        configuration.searchPath = schema
        let database = TestDatabase(configuration: configuration, schema: schema)
        if migrated {
            let connection = try await database.connect()
            try await Migrator(logger: logger).migrate(on: connection)
            await connection.close()
        }
        return database
    }

    public func connect(applicationName: String = "meterbridge-tests") async throws -> PostgresConnection {
        var configuration = configuration
        configuration.applicationName = applicationName
        return try await PostgresConnection.connect(configuration, logger: Self.logger)
    }

    public func pool(size: Int) -> PostgresConnectionPool {
        PostgresConnectionPool(configuration: configuration, size: size, logger: Self.logger)
    }
}

public struct TestDatabaseError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
