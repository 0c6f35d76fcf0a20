import Metronome
import Foundation

/// A report as one JSON object: what `meterbridge report … --format json` prints and what the MCP report
/// tools return, built in one place so the two cannot drift apart.
///
/// Keys are snake_case; every amount is a string holding the exact decimal; undefined cells are `null`.
/// The object carries `report`, `from`, `to`, `complete_through` (the earliest day all inputs are complete
/// through, or null), `complete` (a boolean: false when the period runs past that day) and
/// `partial_period_warning`, `completeness` (each input's day), `notes` (the formulas used), the report's facts
/// (`metric`, `currency`, …), `rows` (the first section) and, when present, `daily` (the second).
public indirect enum ReportJSON: Encodable, Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case null
    case array([ReportJSON])
    case object([String: ReportJSON])

    public init(_ output: ReportOutput) {
        var object: [String: ReportJSON] = [
            "report": .string(output.report), "from": .string(output.period.from.description),
            "to": .string(output.period.to.description),
            "complete_through": output.completeness.through.map { .string($0.description) } ?? .null,
            "completeness": .array(
                output.completeness.parts.map {
                    .object([
                        "input": .string($0.name),
                        "complete_through": $0.through.map { .string($0.description) } ?? .null,
                    ])
                }),
            "notes": .array(output.notes.map(ReportJSON.string)),
            "complete": .bool(output.firstIncompleteDay == nil),
            "partial_period_warning": output.partialPeriodWarning.map(ReportJSON.string) ?? .null,
        ]
        for fact in output.facts { object[fact.key] = fact.value.map(ReportJSON.string) ?? .null }
        for (index, section) in output.sections.enumerated() {
            object[index == 0 ? "rows" : "daily"] = .array(
                section.rows.map { row in
                    .object(
                        Dictionary(
                            uniqueKeysWithValues: zip(section.columns, row.map { $0.map(ReportJSON.string) ?? .null })))
                })
        }
        self = .object(object)
    }

    /// Pretty-printed with sorted keys.
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let values): try container.encode(values)
        case .object(let values): try container.encode(values)
        }
    }
}
