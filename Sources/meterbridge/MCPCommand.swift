import ArgumentParser
import CommandSupport
import MCP
import MCPServer
import Metronome
import Postgres

/// `meterbridge mcp`: the reports, metrics and cost as an MCP server on stdin/stdout.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve metrics, cost and the unit-economics reports to AI assistants over MCP (stdio).",
        discussion: """
            Speaks the Model Context Protocol on stdin/stdout, for Claude Desktop, IDEs or any MCP client; logs go \
            to stderr. Tools: list_metrics, metric_values, list_cost_reports, list_cost_sources, import_status, \
            top_customers, unit_cost, gross_margin, price_for_margin, allocate_shared_cost, fastest_growing_metrics. \
            Resources: the metric catalog and the BI views' documentation. Prompts: monthly_margin_review, \
            pricing_check.

            Read only by default: its database sessions are READ ONLY, so no tool can change anything. With \
            --allow-actions it also offers retry_failed_jobs and reimport, which change data.

            Example client configuration (Claude Desktop, claude_desktop_config.json):
              {"mcpServers": {"meterbridge": {"command": "meterbridge", "args": ["mcp"],
                "env": {"DATABASE_URL": "postgresql://readonly@db/meterbridge"}}}}
            """)

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Also offer tools that change data: retry_failed_jobs and reimport.") var allowActions = false

    func run() async throws {
        let logger = LoggingSetup.bootstrap(label: "meterbridge-mcp", defaultLevel: .warning)
        var readOnly = database.configuration(applicationName: "meterbridge-mcp")
        readOnly.readOnly = true
        let readPool = PostgresConnectionPool(configuration: readOnly, size: 2, logger: logger)
        let actionPool =
            allowActions
            ? PostgresConnectionPool(
                configuration: database.configuration(applicationName: "meterbridge-mcp-actions"), size: 1, logger: logger)
            : nil
        let tools = MeterBridgeMCPServer(
            context: ToolContext(readPool: readPool, actionPool: actionPool, logger: logger), allowActions: allowActions)
        let server = await tools.makeServer(version: MeterBridgeVersion.current)
        do {
            try await server.start(transport: StdioTransport(logger: logger))
            // Runs until the client closes stdin.
            await server.waitUntilCompleted()
        } catch {
            await readPool.close()
            await actionPool?.close()
            throw error
        }
        await server.stop()
        await readPool.close()
        await actionPool?.close()
    }
}
