import ArgumentParser
import CommandSupport
import Foundation
import MCP
import MCPServer
import Metronome
import Postgres

/// `meterbridge mcp`: the reports, metrics and cost as an MCP server on stdin/stdout (or HTTP).
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve metrics, cost and the unit-economics reports to AI assistants over MCP (stdio or HTTP).",
        discussion: """
            Speaks the Model Context Protocol on stdin/stdout, for Claude Desktop, IDEs or any MCP client; logs go \
            to stderr. Tools: list_metrics, metric_values, list_cost_reports, list_cost_sources, import_status, \
            top_customers, unit_cost, gross_margin, price_for_margin, allocate_shared_cost, fastest_growing_metrics. \
            Resources: the metric catalog and the BI views' documentation. Prompts: monthly_margin_review, \
            pricing_check.

            Read only by default: its database sessions are READ ONLY, so no tool can change anything. With \
            --allow-actions it also offers retry_failed_jobs and reimport, which change data.

            With --http-port it serves the streamable HTTP transport at http://127.0.0.1:PORT/mcp instead, to \
            clients that send "Authorization: Bearer TOKEN"; the token comes from --http-token-file or \
            METERBRIDGE_MCP_TOKEN (at least 32 characters), never from the command line. It stops on SIGTERM.

            Example client configuration (Claude Desktop, claude_desktop_config.json):
              {"mcpServers": {"meterbridge": {"command": "meterbridge", "args": ["mcp"],
                "env": {"DATABASE_URL": "postgresql://readonly@db/meterbridge"}}}}
            """)

    static let tokenVariable = "METERBRIDGE_MCP_TOKEN"

    @Flag(help: "Also offer tools that change data: retry_failed_jobs and reimport.") var allowActions = false
    @Option(help: "Serve streamable HTTP on 127.0.0.1 at this port (0: any free port) instead of stdio.") var httpPort:
        Int?
    @Option(help: "A file holding the HTTP bearer token (default: \(tokenVariable)).") var httpTokenFile: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let httpPort, !(0...65_535).contains(httpPort) { throw ValidationError("--http-port must be 0…65535") }
        if httpTokenFile != nil, httpPort == nil { throw ValidationError("--http-token-file goes with --http-port") }
    }

    /// The bearer token for HTTP: from the file or the environment, one line, long enough to guess never.
    func bearerToken() throws -> String {
        let text: String
        if let httpTokenFile {
            guard let data = FileManager.default.contents(atPath: httpTokenFile) else {
                throw ValidationError("cannot read the token file \(httpTokenFile)")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = ProcessInfo.processInfo.environment[Self.tokenVariable] ?? ""
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 32, !token.contains(where: { $0.isWhitespace }) else {
            throw ValidationError(
                "--http-port needs a bearer token of at least 32 characters without spaces, in --http-token-file or \(Self.tokenVariable)"
            )
        }
        return token
    }

    func run() async throws {
        let token = try httpPort.map { _ in try bearerToken() }
        let logger = LoggingSetup.bootstrap(label: "meterbridge-mcp", defaultLevel: .warning)
        var readOnly = database.configuration(applicationName: "meterbridge-mcp")
        readOnly.readOnly = true
        let readPool = PostgresConnectionPool(configuration: readOnly, size: httpPort == nil ? 2 : 4, logger: logger)
        let actionPool =
            allowActions
            ? PostgresConnectionPool(
                configuration: database.configuration(applicationName: "meterbridge-mcp-actions"), size: 1,
                logger: logger)
            : nil
        // An unmigrated or older schema would fail every tool call: refuse to start, saying what to run.
        do {
            try await CLIContext(pool: readPool, logger: logger).requireCurrentSchema()
        } catch {
            await readPool.close()
            await actionPool?.close()
            throw DatabaseGuidance.explain(error, options: database)  // a CLIError passes through as it is
        }
        let tools = MeterBridgeMCPServer(
            context: ToolContext(readPool: readPool, actionPool: actionPool, logger: logger), allowActions: allowActions
        )
        do {
            if let httpPort, let token {
                let server = MCPHTTPServer(
                    tools: tools, version: MeterBridgeVersion.current, port: httpPort, bearerToken: token,
                    onListening: { port in
                        FileHandle.standardError.write(
                            Data("MCP over HTTP listening on http://127.0.0.1:\(port)\(MCPHTTPServer.path)\n".utf8))
                    }, logger: logger)
                try await server.run()
            } else {
                let server = await tools.makeServer(version: MeterBridgeVersion.current)
                try await server.start(transport: StdioTransport(logger: logger))
                // Runs until the client closes stdin.
                await server.waitUntilCompleted()
                await server.stop()
            }
        } catch {
            await readPool.close()
            await actionPool?.close()
            throw error
        }
        await readPool.close()
        await actionPool?.close()
    }
}
