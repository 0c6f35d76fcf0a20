import UseCases
public import MCP
import Postgres
import UnitEconomics

/// MeterBridge's numbers as an MCP server: tools for the metrics, cost and the six unit-economics
/// reports, resources for the catalog and the BI views, and review prompts.
///
/// Read only unless `allowActions`: then the context must carry a writable pool, and the tools that
/// change data (`retry_failed_jobs`, `reimport`) are offered too. Bad input and refusals are tool
/// errors (`isError`) with a message saying what is wrong; a tool never returns part of an answer.
public struct MeterBridgeMCPServer: Sendable {
    public let context: ToolContext
    public let allowActions: Bool
    let tools: [String: MeterBridgeTool]
    let toolList: [Tool]

    public init(context: ToolContext, allowActions: Bool) {
        self.context = context
        self.allowActions = allowActions
        let available = CatalogTools.all + ReportTools.all + (allowActions ? ActionTools.all : [])
        toolList = available.map(\.tool)
        tools = Dictionary(uniqueKeysWithValues: available.map { ($0.tool.name, $0) })
    }

    static let instructions = """
        MeterBridge answers questions about Metronome billing data (daily revenue and usage per customer) and cloud \
        cost from the user's own Postgres, with exact numbers. Start with list_metrics and list_cost_reports to learn \
        the titles and names the other tools take. Amounts are exact decimal strings: quote them, do not recompute \
        them. Every report says through which day its data is complete (complete_through) and gives its formulas \
        in notes; recent days may still change. A tool refuses, with the reason, rather than give a wrong number.
        """

    /// A server with every handler registered; start it on a transport.
    public func makeServer(version: String) async -> Server {
        let server = Server(
            name: "meterbridge", version: version, title: "MeterBridge", instructions: Self.instructions,
            capabilities: .init(
                prompts: .init(listChanged: false), resources: .init(subscribe: false, listChanged: false),
                tools: .init(listChanged: false)))
        let this = self
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: this.toolList) }
        await server.withMethodHandler(CallTool.self) { parameters in
            await this.call(parameters.name, arguments: parameters.arguments)
        }
        await server.withMethodHandler(ListResources.self) { _ in ListResources.Result(resources: CatalogResources.all)
        }
        await server.withMethodHandler(ReadResource.self) { parameters in
            ReadResource.Result(contents: try await CatalogResources.read(parameters.uri, context: this.context))
        }
        await server.withMethodHandler(ListPrompts.self) { _ in ListPrompts.Result(prompts: ReviewPrompts.all) }
        await server.withMethodHandler(GetPrompt.self) { parameters in
            try ReviewPrompts.get(parameters.name, arguments: parameters.arguments ?? [:], today: this.context.today())
        }
        return server
    }

    /// Runs one tool. Every failure becomes a tool error with a message for the reader.
    public func call(_ name: String, arguments: [String: Value]?) async -> CallTool.Result {
        guard let tool = tools[name] else {
            let hint =
                ActionTools.all.contains { $0.tool.name == name }
                ? "\(name) changes data and is offered only when the server runs with --allow-actions"
                : "unknown tool \(name); tools/list shows the tools there are"
            return Self.failure(hint)
        }
        do {
            let parsed = try ToolArguments(arguments, schema: tool.tool.inputSchema)
            return try await tool.run(parsed, context).result
        } catch {
            context.logger.info(
                "Tool call refused", metadata: ["tool.name": "\(name)", "error": "\(Self.message(for: error))"])
            return Self.failure(Self.message(for: error))
        }
    }

    /// A use case's parameter as the tool's caller names it: its argument.
    static func argument(_ parameter: Parameter) -> String {
        switch parameter {
        case .ids: "job id"
        default: "\"\(parameter.rawValue)\""
        }
    }

    static func failure(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
    }

    /// What went wrong, for the reader. Database errors say only their kind: a statement's text and
    /// parameters stay out of answers.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as ToolInputError: return "Invalid input: \(error.description)"
        case let error as UseCaseError: return "Invalid input: " + error.message(naming: argument)
        case let error as ReportRefusal: return "Refused: " + error.message(naming: ToolArguments.argumentName)
        case let error as PostgresError where error.sqlState?.rawValue == "25006":
            return "Refused: this server's database session is read only (\(error.message))"
        case let error as PostgresError: return "Database error: \(error)"
        default: return "\(error)"
        }
    }
}
