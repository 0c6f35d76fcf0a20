import ArgumentParser
import CommandSupport
import Console
import Foundation
import Logging
import Postgres
import ServiceLifecycle

/// `meterbridge serve`: the web console.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web console: overview, metrics, jobs and unit economics in a browser.",
        discussion: """
            Binds 127.0.0.1 unless --http-host says otherwise; any other address needs --auth-token-file (or an \
            explicit --no-auth). With a token, browsers sign in with it (an HttpOnly, SameSite=Strict session \
            cookie) and scripts send "Authorization: Bearer TOKEN". --read-only hides and refuses every action; \
            the console can then run under a database role that may only SELECT.

            Examples:
              meterbridge serve                                  # http://127.0.0.1:8080
              meterbridge serve --read-only --port 9000
              meterbridge serve --http-host 0.0.0.0 --auth-token-file console-token
            """)

    @Option(help: "Address to listen on (loopback by default).") var httpHost = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(
        help:
            "A file holding the access token (one line) that browsers sign in with and scripts send as a bearer token.")
    var authTokenFile: String?
    @Flag(help: "Serve a non-loopback address without authentication (only behind a proxy that authenticates).")
    var noAuth = false
    @Flag(help: "Hide and refuse every action (retry, cancel, reimport, pause, resume).") var readOnly = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        if let refusal = ConsoleConfiguration.refusal(host: httpHost, hasToken: authTokenFile != nil, noAuth: noAuth) {
            throw ValidationError(refusal)
        }
    }

    func run() async throws {
        let logger = LoggingSetup.bootstrap(label: "meterbridge.console", defaultLevel: .info)
        var access = ConsoleConfiguration.Access.open
        if let authTokenFile {
            let token = try TokenInput.read(authTokenFile)
            guard token.count >= 16 else { throw CLIError("the access token must be at least 16 characters") }
            access = .token(token)
        }
        let pool = PostgresConnectionPool(
            configuration: database.configuration(applicationName: "meterbridge-console"), size: 4, logger: logger)
        // An unmigrated or older schema would answer every page with a 500: refuse to start, saying what to run.
        do {
            try await CLIContext(pool: pool, logger: logger).requireCurrentSchema()
        } catch {
            await pool.close()
            throw DatabaseGuidance.explain(error, options: database)  // a CLIError passes through as it is
        }
        let server = ConsoleServer(
            configuration: ConsoleConfiguration(host: httpHost, port: port, access: access, readOnly: readOnly),
            pool: pool,
            logger: logger)
        let host = httpHost.contains(":") ? "[\(httpHost)]" : httpHost
        let mode = readOnly ? " (read-only)" : ""
        let application = server.application { port in
            let line = "MeterBridge console on http://\(host):\(port)/\(mode)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
