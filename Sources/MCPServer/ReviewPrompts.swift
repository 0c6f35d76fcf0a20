import Metronome
import MCP
import UnitEconomics

/// Prompts that chain the tools into a review an assistant can run end to end.
enum ReviewPrompts {
    static let all: [Prompt] = [
        Prompt(
            name: "monthly_margin_review", title: "Monthly margin review",
            description:
                "Gross margin by customer for one month against the month before, the least profitable customers, and what to charge.",
            arguments: [
                .init(name: "revenue_metric", description: "The revenue metric's title.", required: true),
                .init(name: "cost_report", description: "The cost report holding COGS.", required: true),
                .init(
                    name: "usage_metric", description: "A usage metric to allocate shared cost by and to price.",
                    required: false),
                .init(
                    name: "month", description: "The month, YYYY-MM (default: the last complete month).",
                    required: false),
            ]),
        Prompt(
            name: "pricing_check", title: "Pricing check",
            description:
                "Cost per unit of a usage metric over the last 90 days and the prices for 20, 40 and 60 % gross margin.",
            arguments: [
                .init(name: "metric", description: "The usage metric's title.", required: true),
                .init(name: "cost_report", description: "The cost report holding COGS.", required: true),
            ]),
    ]

    static func get(_ name: String, arguments: [String: String], today: UTCDay) throws -> GetPrompt.Result {
        func required(_ key: String) throws -> String {
            guard let value = arguments[key], !value.isEmpty else {
                throw MCPError.invalidParams("prompt \(name) needs \"\(key)\"")
            }
            return value
        }
        switch name {
        case "monthly_margin_review":
            let revenue = try required("revenue_metric")
            let cost = try required("cost_report")
            let usage = arguments["usage_metric"].flatMap { $0.isEmpty ? nil : $0 }
            let month = try monthRange(arguments["month"], today: today)
            let before = month.from.adding(days: -1).firstOfMonth
            let previous = (from: before, to: month.from.adding(days: -1))
            let usagePart = usage.map { ", usage_metric \"\($0)\"" } ?? ""
            let text = """
                Review gross margin for \(month.from) to \(month.to) with MeterBridge's tools. Use only numbers the tools return; \
                never compute totals or ratios yourself.

                1. Call import_status and note through which day "\(revenue)"\(usage.map { " and \"\($0)\"" } ?? "") are complete.
                2. Call gross_margin with revenue_metric "\(revenue)", cost_report "\(cost)"\(usagePart), from "\(month.from)", to "\(month.to)".
                3. Call it again for the month before: from "\(previous.from)", to "\(previous.to)".
                4. Name the five least profitable customers (lowest gross_margin_pct; a null margin means no revenue) and how \
                their margin moved against the month before.
                \(usage.map { "5. Call unit_cost and price_for_margin with metric \"\($0)\" and cost_report \"\(cost)\" for the month, and say what price per unit reaches 40 % and 60 % gross margin." } ?? "5. If a usage metric fits the cost, suggest calling unit_cost with it.")
                6. End with the total row's revenue, COGS and margin, and say through which day the data is complete \
                (the result's complete_through) and which formulas the notes give.
                """
            return GetPrompt.Result(
                description: "Monthly margin review, \(month.from) to \(month.to)", messages: [.user(.text(text: text))]
            )
        case "pricing_check":
            let metric = try required("metric")
            let cost = try required("cost_report")
            let text = """
                Check the pricing of "\(metric)" with MeterBridge's tools, using only the numbers they return.

                1. Call list_metrics and confirm "\(metric)" is summable (not a gauge).
                2. Call price_for_margin with metric "\(metric)", cost_report "\(cost)", last_days 90 and target_margins [20, 40, 60].
                3. Call unit_cost with the same arguments and name the five customers with the highest cost per unit.
                4. Report the unit cost, the three prices and their formula, and the complete_through day.
                """
            return GetPrompt.Result(description: "Pricing check for \(metric)", messages: [.user(.text(text: text))])
        default:
            throw MCPError.invalidParams("unknown prompt \(name); prompts/list shows the prompts there are")
        }
    }

    /// The days of month `YYYY-MM`, or of the last complete month before `today`.
    static func monthRange(_ text: String?, today: UTCDay) throws -> (from: UTCDay, to: UTCDay) {
        let first: UTCDay
        if let text, !text.isEmpty {
            guard text.count == 7, let day = UTCDay(text + "-01") else {
                throw MCPError.invalidParams("month must be YYYY-MM, not \"\(text)\"")
            }
            first = day
        } else {
            first = today.firstOfMonth.adding(days: -1).firstOfMonth
        }
        return (first, first.firstOfNextMonth.adding(days: -1))
    }
}
