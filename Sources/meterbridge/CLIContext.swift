import UseCases
import AsyncHTTPClient
import CommandSupport
import Foundation
import Importer
import JobQueue
import Logging
import Metronome
import Postgres
import Schema
import UnitEconomics

/// Everything a CLI command needs, opened once and closed when the command ends.
struct CLIContext: Sendable {
    let pool: PostgresConnectionPool
    let logger: Logger

    static func run<T: Sendable>(
        _ database: DatabaseOptions, label: String = "meterbridge", _ body: (CLIContext) async throws -> T
    ) async throws -> T {
        let logger = LoggingSetup.bootstrap(label: label, defaultLevel: .warning)
        let pool = PostgresConnectionPool(
            configuration: database.configuration(applicationName: "meterbridge-cli"), size: 2, logger: logger)
        let context = CLIContext(pool: pool, logger: logger)
        do {
            try await context.requireCurrentSchema()
            let value = try await body(context)
            await pool.close()
            return value
        } catch let error as UseCaseError {
            await pool.close()
            throw CLIError(error.message(naming: flag))
        } catch let refusal as ReportRefusal {
            await pool.close()
            throw CLIError(refusal.message(naming: { "--" + $0.rawValue }))
        } catch {
            await pool.close()
            throw DatabaseGuidance.explain(error, options: database)
        }
    }

    /// A use case's parameter as the CLI's user typed it.
    static func flag(_ parameter: Parameter) -> String {
        switch parameter {
        case .ids: "job id"
        default: "--" + parameter.rawValue
        }
    }

    /// Refuses to run against a schema this binary is ahead of, saying what to do, instead of failing
    /// later on a missing table or column.
    func requireCurrentSchema() async throws {
        let pending = try await pool.withConnection { connection in
            try await Migrator(logger: logger).status(on: connection).filter { !$0.isApplied }
        }
        guard !pending.isEmpty else { return }
        if pending.count == Migration.embedded.count {
            throw CLIError("the database has no MeterBridge schema yet: run `meterbridge migrate`")
        }
        throw CLIError(
            "the database schema is behind this meterbridge (\(pending.count) migration(s) pending: "
                + pending.map { "\($0.version) \($0.name)" }.joined(separator: ", ") + "): run `meterbridge migrate`")
    }

    var connections: ConnectionStore { ConnectionStore(pool: pool, environment: ProcessInfo.processInfo.environment) }
    var metrics: MetricStore { MetricStore(pool: pool) }
    var queue: JobQueue { JobQueue(pool: pool, logger: logger) }
    var catalog: Catalog { Catalog(pool: pool) }
    var jobs: JobOperations { JobOperations(pool: pool, logger: logger) }

    /// Runs `body` with an unpaced client for one connection's configuration (interactive commands
    /// send a handful of requests; the workers' shared limiter is for bulk work).
    func withClient<T: Sendable>(
        _ configuration: MetronomeClientConfiguration, _ body: (MetronomeClient) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.requestTimeout = .seconds(30)
        return try await MetronomeClient.withClient(configuration: configuration, logger: logger, body)
    }
}

/// Reads a token from a file or stdin (`-`), never from the command line.
enum TokenInput {
    static func read(_ path: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIError("cannot read the token file \(path)")
            }
            data = contents
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CLIError("the token file is empty") }
        guard !token.contains(where: { $0.isWhitespace }) else { throw CLIError("the token must be a single line without spaces") }
        return token
    }
}

/// An error for the operator: its description is the whole message.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
