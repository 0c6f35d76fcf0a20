import Foundation
import MCP

/// One tool: its MCP description and what it runs.
struct MeterBridgeTool: Sendable {
    var tool: Tool
    var run: @Sendable (ToolArguments, ToolContext) async throws -> ToolAnswer

    init(
        name: String, title: String, description: String, input: Value, output: Value, changesData: Bool = false,
        idempotent: Bool = true, run: @escaping @Sendable (ToolArguments, ToolContext) async throws -> ToolAnswer
    ) {
        tool = Tool(
            name: name, title: title, description: description, inputSchema: input,
            annotations: .init(
                title: title, readOnlyHint: !changesData, destructiveHint: changesData ? false : nil,
                idempotentHint: idempotent,
                openWorldHint: false),
            outputSchema: output)
        self.run = run
    }
}

/// A tool's answer: a short summary for the reader and the whole result as one JSON object.
struct ToolAnswer: Sendable {
    var summary: String
    var structured: Value

    /// The result as MCP sends it: the summary, the JSON as text (for clients that do not read
    /// structured content), and the structured content itself.
    var result: CallTool.Result {
        let content: Value? = structured
        return CallTool.Result(
            content: [
                .text(text: summary, annotations: nil, _meta: nil),
                .text(text: Self.compactJSON(structured), annotations: nil, _meta: nil),
            ],
            structuredContent: content, isError: false)
    }

    static func compactJSON(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

extension Value {
    static func text(_ value: String?) -> Value { value.map(Value.string) ?? .null }

    static func number(_ value: Double?) -> Value { value.map(Value.double) ?? .null }
}
