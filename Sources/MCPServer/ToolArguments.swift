import Metronome
import Foundation
import MCP
import UnitEconomics

/// Bad input to a tool: the message says which argument and what is expected.
public struct ToolInputError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A tool call's arguments, read by name and type. Unknown arguments and wrong types are refused, never
/// ignored: a misspelled option silently dropped would answer another question than the one asked.
struct ToolArguments: Sendable {
    /// A report's input as the tools' arguments name it: `"revenue_metric"`, `"last_days"`.
    static func argumentName(_ parameter: ReportParameter) -> String {
        parameter == .last ? "\"last_days\"" : "\"\(parameter.rawValue.replacingOccurrences(of: "-", with: "_"))\""
    }

    let values: [String: Value]

    init(_ values: [String: Value]?, schema: Value) throws(ToolInputError) {
        self.values = values ?? [:]
        let known = Set(schema.objectValue?["properties"]?.objectValue?.keys.map { $0 } ?? [])
        if let unknown = self.values.keys.filter({ !known.contains($0) }).sorted().first {
            let list = known.sorted().joined(separator: ", ")
            throw ToolInputError(
                "unknown argument \"\(unknown)\""
                    + (list.isEmpty ? " (this tool takes none)" : "; expected one of: \(list)"))
        }
        for name in schema.objectValue?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        where self.values[name] == nil {
            throw ToolInputError("missing required argument \"\(name)\"")
        }
    }

    func has(_ name: String) -> Bool { values[name].map { !$0.isNull } ?? false }

    /// A non-empty single-line text of at most `MCPLimits.maximumTextLength` characters.
    func text(_ name: String) throws(ToolInputError) -> String? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw ToolInputError("\"\(name)\" must be a string") }
        guard !text.isEmpty else { throw ToolInputError("\"\(name)\" must not be empty") }
        guard text.count <= MCPLimits.maximumTextLength else {
            throw ToolInputError("\"\(name)\" is longer than \(MCPLimits.maximumTextLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw ToolInputError("\"\(name)\" must not contain control characters")
        }
        return text
    }

    func requiredText(_ name: String) throws(ToolInputError) -> String {
        guard let text = try text(name) else { throw ToolInputError("missing required argument \"\(name)\"") }
        return text
    }

    func day(_ name: String) throws(ToolInputError) -> UTCDay? {
        guard let text = try text(name) else { return nil }
        guard let day = UTCDay(text) else {
            throw ToolInputError("\"\(name)\" must be a UTC day YYYY-MM-DD, not \"\(text)\"")
        }
        return day
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(ToolInputError) -> Int? {
        guard let value = values[name], !value.isNull else { return nil }
        let number: Int? =
            switch value {
            case .int(let number): number
            case .double(let number) where number.rounded() == number && abs(number) < 1e15: Int(number)
            default: nil
            }
        guard let number else { throw ToolInputError("\"\(name)\" must be an integer") }
        guard range.contains(number) else {
            throw ToolInputError(
                "\"\(name)\" must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    func boolean(_ name: String) throws(ToolInputError) -> Bool? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw ToolInputError("\"\(name)\" must be true or false") }
        return flag
    }

    func choice(_ name: String, of allowed: [String]) throws(ToolInputError) -> String? {
        guard let text = try text(name) else { return nil }
        guard allowed.contains(text) else {
            throw ToolInputError("\"\(name)\" must be one of \(allowed.joined(separator: ", ")), not \"\(text)\"")
        }
        return text
    }

    func textList(_ name: String, maximum: Int) throws(ToolInputError) -> [String]? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let items = value.arrayValue else { throw ToolInputError("\"\(name)\" must be an array of strings") }
        guard !items.isEmpty else { throw ToolInputError("\"\(name)\" needs at least one entry") }
        guard items.count <= maximum else { throw ToolInputError("\"\(name)\" takes at most \(maximum) entries") }
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            let single = ToolArguments(unchecked: ["item": item])
            guard let text = try? single.text("item") else {
                throw ToolInputError(
                    "\"\(name)\"[\(index)] must be a non-empty single-line string of at most \(MCPLimits.maximumTextLength) characters"
                )
            }
            texts.append(text)
        }
        return texts
    }

    /// Exact decimals given as JSON numbers or as strings ("33.3").
    func decimalList(_ name: String, maximum: Int) throws(ToolInputError) -> [Decimal]? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let items = value.arrayValue else { throw ToolInputError("\"\(name)\" must be an array of numbers") }
        guard !items.isEmpty else { throw ToolInputError("\"\(name)\" needs at least one number") }
        guard items.count <= maximum else { throw ToolInputError("\"\(name)\" takes at most \(maximum) numbers") }
        return try items.map { item throws(ToolInputError) -> Decimal in
            let text: String? =
                switch item {
                case .int(let number): String(number)
                case .double(let number) where number.isFinite: "\(number)"
                case .string(let string): string
                default: nil
                }
            guard let text, let number = DecimalMath.parse(text) else {
                throw ToolInputError("\"\(name)\" must hold numbers, not \(item)")
            }
            return number
        }
    }

    private init(unchecked values: [String: Value]) { self.values = values }

    // MARK: The period every report and `metric_values` take

    static let periodProperties: [String: Value] = [
        "from": JSONSchema.day("First UTC day, inclusive (with \"to\")."),
        "to": JSONSchema.day("Last UTC day, inclusive (with \"from\")."),
        "last_days": JSONSchema.integer(
            "The last N days of complete data instead of from/to (ending on the last day every input is complete through); default 30.", minimum: 1,
            maximum: MCPLimits.maximumPeriodDays),
    ]

    /// `from`/`to` (both inclusive) or `last_days` (default 30), at most `MCPLimits.maximumPeriodDays` days.
    func period(today: UTCDay) throws -> ReportPeriod {
        let from = try day("from")
        let to = try day("to")
        let last = try integer("last_days", in: 1...MCPLimits.maximumPeriodDays)
        let choice: PeriodChoice
        do {
            choice = try PeriodChoice(from: from, to: to, lastDays: last)
        } catch {
            throw ToolInputError(error.message(naming: ToolArguments.argumentName))
        }
        guard case .between(let from, let to) = choice else { return try choice.period(today: today) }
        let days = from.distance(to: to) + 1
        guard days <= MCPLimits.maximumPeriodDays else {
            throw ToolInputError(
                "the period \(from) to \(to) spans \(days) days; at most \(MCPLimits.maximumPeriodDays) days (two years) are "
                    + "allowed in one call: ask for a shorter period")
        }
        return try ReportPeriod(from: from, to: to)
    }
}
