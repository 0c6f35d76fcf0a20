import MCP

/// Builders for the JSON Schemas of tool inputs and outputs (draft 2020-12 keywords that every MCP
/// client understands: `type`, `properties`, `required`, `enum`, `pattern`, `minimum`, …).
enum JSONSchema {
    static func object(_ properties: [String: Value], required: [String] = [], additional: Bool = false) -> Value {
        var schema: [String: Value] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        if !additional { schema["additionalProperties"] = false }
        return .object(schema)
    }

    static func string(_ description: String, maxLength: Int = MCPLimits.maximumTextLength) -> Value {
        ["type": "string", "description": .string(description), "minLength": 1, "maxLength": .int(maxLength)]
    }

    static func day(_ description: String) -> Value {
        [
            "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": .string(description),
        ]
    }

    static func integer(_ description: String, minimum: Int, maximum: Int, default value: Int? = nil) -> Value {
        var schema: [String: Value] = [
            "type": "integer", "description": .string(description), "minimum": .int(minimum), "maximum": .int(maximum),
        ]
        if let value { schema["default"] = .int(value) }
        return .object(schema)
    }

    static func oneOf(_ description: String, _ values: [String], default value: String? = nil) -> Value {
        var schema: [String: Value] = [
            "type": "string", "description": .string(description), "enum": .array(values.map { .string($0) }),
        ]
        if let value { schema["default"] = .string(value) }
        return .object(schema)
    }

    static func boolean(_ description: String, default value: Bool) -> Value {
        ["type": "boolean", "description": .string(description), "default": .bool(value)]
    }

    static func array(_ description: String, of items: Value, minItems: Int = 0, maxItems: Int) -> Value {
        [
            "type": "array", "description": .string(description), "items": items, "minItems": .int(minItems),
            "maxItems": .int(maxItems),
        ]
    }

    // MARK: Output pieces

    static let text: Value = ["type": "string"]
    static let nullableText: Value = ["type": ["string", "null"]]
    static let count: Value = ["type": "integer", "minimum": 0]

    static func list(_ key: String, of item: Value, extra: [String: Value] = [:], required: [String] = []) -> Value {
        object(
            extra.merging([key: ["type": "array", "items": item]]) { $1 }, required: [key] + required, additional: true)
    }
}

/// Bounds on what one tool call may ask for, so an assistant's runaway question cannot load the
/// database or return more than a reader can use.
enum MCPLimits {
    /// A period of at most two years (a report's comparison reads as much again before it).
    static let maximumPeriodDays = 731
    /// Rows one `metric_values` answer may hold.
    static let maximumValueRows = 5_000
    /// Titles, names and labels.
    static let maximumTextLength = 200
    static let maximumMetrics = 20
    static let maximumTargetMargins = 20
}
