import Foundation
import MCP
import UnitEconomics

/// The six unit-economics reports as tools. Each calls the same `UnitEconomicsReports` function as
/// `meterbridge report …` and returns the same JSON object as its `--format json` (``ReportJSON``), so
/// the CLI and an assistant always see the same numbers, refusals and notes.
enum ReportTools {
    static let all: [MeterBridgeTool] = [
        topCustomers, unitCost, grossMargin, priceForMargin, allocateSharedCost, fastestGrowingMetrics,
    ]

    static let metricTitle = JSONSchema.string("A business metric's title, exactly as list_metrics shows it.")
    static let costReport = JSONSchema.string("A saved cost report's name, exactly as list_cost_reports shows it.")
    static let scaleSchema: Value = [
        "type": "integer", "description": "Cost per this many units (default 1).",
        "enum": [1, 100, 1_000, 1_000_000, 1_000_000_000],
        "default": 1,
    ]

    static func input(_ properties: [String: Value], required: [String]) -> Value {
        JSONSchema.object(properties.merging(ToolArguments.periodProperties) { $1 }, required: required)
    }

    /// Every report's JSON object; `rows` is the first table, `daily` the per-day one where there is one.
    static let output: Value = JSONSchema.object(
        [
            "report": JSONSchema.text, "from": JSONSchema.text, "to": JSONSchema.text,
            "complete_through": JSONSchema.nullableText,
            "completeness": [
                "type": "array",
                "items": JSONSchema.object(
                    ["input": JSONSchema.text, "complete_through": JSONSchema.nullableText],
                    required: ["input", "complete_through"]),
            ],
            "notes": ["type": "array", "items": JSONSchema.text],
            "rows": ["type": "array", "items": ["type": "object", "additionalProperties": JSONSchema.nullableText]],
            "daily": ["type": "array", "items": ["type": "object", "additionalProperties": JSONSchema.nullableText]],
        ],
        required: ["report", "from", "to", "complete_through", "completeness", "notes", "rows"], additional: true)

    static let common = """
         Amounts are exact decimals as strings; an empty (null) cell is undefined, not zero. The result carries \
        complete_through (the last day every input is final; later days may still change) and notes with the \
        formulas used. Refuses rather than answer wrongly: mixed currencies, summed gauge metrics (MAX, UNIQUE, \
        LATEST), cost per unit of zero units. Period: from/to (UTC days, inclusive) or last_days (default 30), \
        at most \(MCPLimits.maximumPeriodDays) days.
        """

    static let topCustomers = MeterBridgeTool(
        name: "top_customers", title: "Top customers by usage",
        description:
            "Customers ranked by a metric's total in the period: total, daily average and share of the total, with a total row."
            + common,
        input: input(["metric": metricTitle], required: ["metric"]), output: output
    ) { arguments, context in
        let period = try arguments.period(today: context.today())
        let metric = try arguments.requiredText("metric")
        return answer(try await context.reports.topCustomers(metric: metric, period: period))
    }

    static let unitCost = MeterBridgeTool(
        name: "unit_cost", title: "COGS and cost per unit by customer",
        description: """
            Each customer's COGS (cost tagged with the customer plus a usage share of shared cost, split per day) and \
            cost per unit of a usage metric, ranked by COGS, with unmatched and unallocated cost on their own rows.
            """ + common,
        input: input(
            ["cost_report": costReport, "metric": metricTitle, "scale": scaleSchema],
            required: ["cost_report", "metric"]),
        output: output
    ) { arguments, context in
        let period = try arguments.period(today: context.today())
        let output = try await context.reports.unitCost(
            costReport: try arguments.requiredText("cost_report"), metric: try arguments.requiredText("metric"),
            period: period,
            scale: try scale(arguments))
        return answer(output)
    }

    static let grossMargin = MeterBridgeTool(
        name: "gross_margin", title: "Gross margin by customer",
        description: """
            Revenue, COGS, gross profit and gross margin % by customer, with a total row. Without usage_metric only \
            cost tagged with a customer is that customer's COGS and shared cost is its own row; with usage_metric \
            shared cost is split per day by usage share. Margin is null (undefined, not 0%) where revenue is 0.
            """ + common,
        input: input(
            [
                "revenue_metric": JSONSchema.string("The revenue metric's title."), "cost_report": costReport,
                "usage_metric": JSONSchema.string(
                    "Optional: a usage metric by whose daily share shared cost is allocated."),
            ], required: ["revenue_metric", "cost_report"]),
        output: output
    ) { arguments, context in
        let period = try arguments.period(today: context.today())
        let output = try await context.reports.margin(
            revenueMetric: try arguments.requiredText("revenue_metric"),
            costReport: try arguments.requiredText("cost_report"),
            allocateBy: try arguments.text("usage_metric"), period: period)
        return answer(output)
    }

    static let priceForMargin = MeterBridgeTool(
        name: "price_for_margin", title: "Price for a target margin",
        description: """
            The current cost per unit of a usage metric and, for each target gross margin, the price that reaches it: \
            price = unit_cost / (1 − margin) (margin as a share of the price, not markup).
            """ + common,
        input: input(
            [
                "cost_report": costReport, "metric": metricTitle, "scale": scaleSchema,
                "target_margins": JSONSchema.array(
                    "Target gross margins in percent, e.g. [20, 40, 60] (the default).",
                    of: ["type": "number", "minimum": 0, "exclusiveMaximum": 100], minItems: 1,
                    maxItems: MCPLimits.maximumTargetMargins),
            ], required: ["cost_report", "metric"]),
        output: output
    ) { arguments, context in
        let period = try arguments.period(today: context.today())
        let margins =
            try arguments.decimalList("target_margins", maximum: MCPLimits.maximumTargetMargins).map {
                try ReportCalculations.parseTargetMargins($0.map(DecimalMath.text).joined(separator: ","))
            } ?? [20, 40, 60]
        let output = try await context.reports.pricing(
            costReport: try arguments.requiredText("cost_report"), metric: try arguments.requiredText("metric"),
            targetMargins: margins, period: period, scale: try scale(arguments))
        return answer(output)
    }

    static let allocateSharedCost = MeterBridgeTool(
        name: "allocate_shared_cost", title: "Allocate shared cost by usage",
        description: """
            Shared (untagged) cost allocated per day by each customer's share of a usage metric: units, usage share, \
            direct and allocated cost, COGS and cost per unit per customer, with an unallocated row (days with cost \
            but no usage). daily=true adds the per-day allocation as "daily".
            """ + common,
        input: input(
            [
                "cost_report": costReport, "metric": metricTitle,
                "daily": JSONSchema.boolean("Add the per-day allocation.", default: false),
            ], required: ["cost_report", "metric"]),
        output: output
    ) { arguments, context in
        let period = try arguments.period(today: context.today())
        let output = try await context.reports.allocate(
            costReport: try arguments.requiredText("cost_report"), metric: try arguments.requiredText("metric"),
            period: period,
            daily: try arguments.boolean("daily") ?? false)
        return answer(output)
    }

    static let fastestGrowingMetrics = MeterBridgeTool(
        name: "fastest_growing_metrics", title: "Fastest-growing metrics",
        description: """
            For each metric: the period's total, daily average, the previous period of the same length and growth %; \
            names the fastest-growing metric ("fastest_growing") and gives the daily series as "daily".
            """ + common,
        input: input(
            [
                "metrics": JSONSchema.array(
                    "Metric titles to compare.", of: JSONSchema.string("A metric title."), minItems: 1,
                    maxItems: MCPLimits.maximumMetrics)
            ], required: ["metrics"]),
        output: output
    ) { arguments, context in
        let period = try arguments.period(today: context.today())
        let titles = try arguments.textList("metrics", maximum: MCPLimits.maximumMetrics) ?? []
        return answer(try await context.reports.portfolio(metrics: titles, period: period))
    }

    static func scale(_ arguments: ToolArguments) throws(ToolInputError) -> Decimal {
        guard let scale = try arguments.integer("scale", in: 1...1_000_000_000) else { return 1 }
        guard ReportCalculations.scales.contains(Decimal(scale)) else {
            throw ToolInputError("\"scale\" must be one of 1, 100, 1000, 1000000, 1000000000, not \(scale)")
        }
        return Decimal(scale)
    }

    /// Rows a summary quotes; the structured result holds them all.
    static let summaryRows = 5

    /// The report's JSON and a summary: what it is, its headline, completeness and formulas.
    static func answer(_ output: ReportOutput) -> ToolAnswer {
        let rows = output.sections.first?.rows.count ?? 0
        var lines = ["\(output.sections.first?.title ?? output.report), \(output.period): \(rows) row(s)."]
        if let warning = output.partialPeriodWarning { lines.append("⚠ \(warning)") }
        if let section = output.sections.first {
            // The first rows and the total, without ids: enough to answer at a glance.
            func text(_ row: [String?]) -> String {
                zip(section.columns, row).compactMap { column, cell in
                    guard column != "customer_id", let cell, cell != "(total)" else { return nil }
                    return "\(column) \(cell)"
                }.joined(separator: ", ")
            }
            let isTotal = { (row: [String?]) in row.contains { $0 == "(total)" } }
            let shown = section.rows.filter { !isTotal($0) }.prefix(summaryRows)
            lines += shown.map { "- " + text($0) }
            if section.rows.filter({ !isTotal($0) }).count > shown.count {
                lines.append(
                    "- … \(section.rows.filter { !isTotal($0) }.count - shown.count) more row(s) in the structured result"
                )
            }
            if let total = section.rows.last(where: isTotal) { lines.append("Total: " + text(total) + ".") }
        }
        lines += output.notes
        lines.append(output.completeness.description)
        return ToolAnswer(summary: lines.joined(separator: "\n"), structured: value(ReportJSON(output)))
    }

    static func value(_ json: ReportJSON) -> Value {
        switch json {
        case .string(let text): .string(text)
        case .bool(let flag): .bool(flag)
        case .null: .null
        case .array(let items): .array(items.map(value))
        case .object(let fields): .object(fields.mapValues(value))
        }
    }
}
