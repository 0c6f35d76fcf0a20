import ArgumentParser
import CommandSupport
import TextOutput
import UseCases
import Foundation
import Importer
import JobQueue
import Metronome
import Postgres

struct ConnectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connection",
        abstract: "Connect Metronome accounts (tokens are stored encrypted with METERBRIDGE_SECRET_KEY).",
        discussion: """
            Examples:
              meterbridge connection add --name prod --token-file token.txt --rate-limit 8
              echo "$TOKEN" | meterbridge connection add --name prod --token-file -
              meterbridge connection list --format json
              meterbridge connection validate prod
              meterbridge connection set-token prod --token-file new-token.txt
              meterbridge connection pause prod
              meterbridge connection remove prod --cascade --dry-run
            """,
        subcommands: [Add.self, List.self, Validate.self, SetToken.self, Pause.self, Resume.self, Remove.self])

    /// Proves the token can do what imports need: list customers and run a one-day usage query.
    static func validate(_ configuration: MetronomeClientConfiguration, context: CLIContext) async throws {
        try await context.withClient(configuration) { client in
            do {
                var pages = client.customers(CustomerListQuery(limit: 1)).makeAsyncIterator()
                _ = try await pages.next()
            } catch let error as MetronomeError where error.kind == .unauthorized {
                throw CLIError(refusal("listing customers (GET /v1/customers)", error, firstRequest: true))
            }
            do {
                let today = UTCDay(containing: Date())
                let window = try DayWindow(firstDay: today.adding(days: -1), endDay: today)
                var pages = client.usage(UsageQuery(window: window, customerIDs: nil, billableMetrics: nil)).makeAsyncIterator()
                _ = try await pages.next()
            } catch let error as MetronomeError where error.kind == .unauthorized {
                throw CLIError(refusal("a one-day usage query (POST /v1/usage)", error, firstRequest: false))
            }
        }
    }

    /// Why Metronome said no. Refused on the very first request, the token itself is the likely cause
    /// (wrong, expired, revoked, another environment's); accepted for customers but refused later, its role is.
    static func refusal(_ what: String, _ error: MetronomeError, firstRequest: Bool) -> String {
        let status = error.status.map(String.init) ?? "401/403"
        let role = "a role that can read customers, invoice breakdowns, usage and billable metrics (Administrator, Writer, or a custom role with those permissions)"
        if firstRequest {
            return """
                Metronome did not accept the token: HTTP \(status) on its first request, \(what). Check that it is the \
                whole token, not expired or revoked, and from the Metronome environment of --base-url. A valid token \
                also needs \(role). Nothing was saved.
                """
        }
        return """
            Metronome accepted the token for customers but refused \(what) with HTTP \(status): the token needs \
            \(role). Nothing was saved.
            """
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a token, save the connection and sync its catalog.")
        @Option(help: "A unique name for the connection.") var name: String
        @Option(help: "File holding the Metronome API token, or - to read it from stdin.") var tokenFile: String
        @Option(help: "Metronome API base URL.") var baseURL = "https://api.metronome.com"
        @Option(help: "Requests per second all workers together may send for this account.") var rateLimit = 8.0
        @Option(help: "Customers per import job.") var customerBatchSize = 25
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard !name.isEmpty else { throw ValidationError("--name must not be empty") }
            guard rateLimit > 0 else { throw ValidationError("--rate-limit must be positive") }
            guard (1...100).contains(customerBatchSize) else { throw ValidationError("--customer-batch-size must be 1…100") }
            // The token is sent nowhere but https, or plain http to this machine: checked before any request.
            do { try TokenDestination.check(baseURL) } catch { throw ValidationError("--base-url: \(error.description)") }
        }

        func run() async throws {
            _ = try TokenCipher.fromEnvironment(ProcessInfo.processInfo.environment)  // fail before any request
            let token = try TokenInput.read(tokenFile)
            try await CLIContext.run(database) { context in
                let store = context.connections
                let configuration = MetronomeClientConfiguration(baseURL: baseURL, token: MetronomeToken(token))
                try await ConnectionCommand.validate(configuration, context: context)
                let connection = try await store.add(
                    name: name, baseURL: baseURL, token: token, rateLimit: Decimal(rateLimit), customerBatchSize: customerBatchSize)
                let summary = try await context.withClient(try store.clientConfiguration(for: connection)) { client in
                    try await CatalogSync(pool: context.pool).sync(connection: connection, client: client)
                }
                print(
                    "Added connection \(name): \(summary.customers) customers, \(summary.billableMetrics) billable metrics, \(summary.creditTypes) credit types."
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List connections.")
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let connections = try await CLIContext.run(database) { context in
                try await context.connections.all()
            }
            print(
                TableOutput(
                    columns: ["name", "status", "base_url", "rate_limit", "last_validated_at", "catalog_synced_at", "last_error"],
                    rows: connections.map {
                        [
                            $0.name, $0.status.rawValue, $0.baseURL, "\($0.rateLimit)", $0.lastValidatedAt.map(Timestamps.format),
                            $0.catalogSyncedAt.map(Timestamps.format), $0.lastError,
                        ]
                    }
                ).render(format))
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a connection's token again; on success an invalid connection becomes active.")
        @Argument(help: "The connection name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CLIContext.run(database) { context in
                let store = context.connections
                let connection = try await context.catalog.connection(named: name)
                do {
                    try await ConnectionCommand.validate(try store.clientConfiguration(for: connection), context: context)
                } catch {
                    try await store.setStatus(connection.id, .invalid, error: "\(error)")
                    throw error
                }
                try await store.setStatus(connection.id, connection.status == .paused ? .paused : .active)
                print("Connection \(name) is valid\(connection.status == .paused ? " (still paused)" : "").")
            }
        }
    }

    struct SetToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-token", abstract: "Replace a connection's token.")
        @Argument(help: "The connection name.") var name: String
        @Option(help: "File holding the new token, or - for stdin.") var tokenFile: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let token = try TokenInput.read(tokenFile)
            try await CLIContext.run(database) { context in
                let store = context.connections
                let connection = try await context.catalog.connection(named: name)
                try await ConnectionCommand.validate(
                    MetronomeClientConfiguration(baseURL: connection.baseURL, token: MetronomeToken(token)), context: context)
                try await store.setToken(connection, token: token)
                print("Token of \(name) replaced; the connection is active.")
            }
        }
    }

    /// Sets a connection's status by name (pause and resume).
    static func setStatus(_ status: ConnectionRecord.Status, of name: String, database: DatabaseOptions) async throws {
        try await CLIContext.run(database) { context in
            let store = context.connections
            try await store.setStatus(try await context.catalog.connection(named: name).id, status)
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hold a connection's imports.")
        @Argument(help: "The connection name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await ConnectionCommand.setStatus(.paused, of: name, database: database)
            print("Paused \(name).")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused connection's imports.")
        @Argument(help: "The connection name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await ConnectionCommand.setStatus(.active, of: name, database: database)
            print("Resumed \(name).")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a connection (refused while metrics use it).")
        @Argument(help: "The connection name.") var name: String
        @Flag(help: "Also delete its metrics and their values.") var cascade = false
        @Flag(help: "Show what would be deleted; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CLIContext.run(database) { context in
                let store = context.connections
                let connection = try await context.catalog.connection(named: name)
                let metrics = try await context.metrics.all().filter { $0.connectionID == connection.id }
                if !metrics.isEmpty && !cascade {
                    throw CLIError("connection \(name) is used by \(metrics.count) metric(s); remove them first or pass --cascade")
                }
                if dryRun {
                    print("Would delete connection \(name) and \(metrics.count) metric(s): \(metrics.map(\.title).joined(separator: ", ")).")
                    return
                }
                try Confirmation.confirm("Delete connection \(name) and \(metrics.count) metric(s)?", yes: yes)
                _ = try await store.remove(connection, cascade: cascade)
                print("Removed connection \(name).")
            }
        }
    }
}
