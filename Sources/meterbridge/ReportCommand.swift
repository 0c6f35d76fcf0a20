import ArgumentParser
import CommandSupport
import TextOutput
import Foundation
import Metronome
import UnitEconomics

/// `meterbridge report …`: the six unit-economics analyses.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Unit economics: usage, COGS, margins, prices, allocation and growth.",
        discussion: """
            Every report takes --from/--to (UTC days, inclusive) or --last 30d (default), --format table|csv|json, \
            uses exact decimals, and says through which day its data is complete. Reports refuse rather than \
            print a wrong number: mixed currencies, summed gauge metrics (MAX, UNIQUE, LATEST), cost per unit of \
            zero units.
            """,
        subcommands: [TopCustomers.self, UnitCost.self, Margin.self, Pricing.self, Allocate.self, Portfolio.self])

    struct TopCustomers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "top-customers", abstract: "Customers by total usage: total, daily average, share of total.",
            discussion: """
                Examples:
                  meterbridge report top-customers --metric "CPU hours"
                  meterbridge report top-customers --metric "CPU hours" --from 2026-10-01 --to 2026-10-31 --format csv
                """)
        @Option(help: "The business metric's title.") var metric: String
        @OptionGroup var options: ReportOptions

        func run() async throws {
            try await options.run { reports, period in try await reports.topCustomers(metric: metric, period: period) }
        }
    }

    struct UnitCost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unit-cost",
            abstract: "COGS and cost per unit by customer: tagged cost plus a usage share of shared cost, ranked by COGS.",
            discussion: """
                Examples:
                  meterbridge report unit-cost --cost-report COGS --metric "CPU hours"
                  meterbridge report unit-cost --cost-report COGS --metric "API requests" --scale 1000 --chart unit-cost.svg
                """)
        @Option(name: .customLong("cost-report"), help: "The cost report.") var costReport: String
        @Option(help: "The usage metric's title.") var metric: String
        @Option(help: "Cost per this many units: 1, 100, 1000, 1000000 or 1000000000.") var scale: Int = 1
        @Option(help: "Also write a bar chart of cost per unit to this SVG file.") var chart: String?
        @OptionGroup var options: ReportOptions

        func run() async throws {
            try await options.run(chart: chart) { reports, period in
                try await reports.unitCost(costReport: costReport, metric: metric, period: period, scale: Decimal(scale))
            }
        }
    }

    struct Margin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Gross margin by customer: revenue, COGS, gross profit and margin %, with a total row.",
            discussion: """
                Without --metric only cost tagged with a customer counts as that customer's COGS and shared cost is \
                shown on its own row; with --metric USAGE_METRIC shared cost is split per day by usage share. \
                Margin is undefined (empty, not 0%) where revenue is 0 or missing.

                Examples:
                  meterbridge report margin --revenue-metric Revenue --cost-report COGS
                  meterbridge report margin --revenue-metric Revenue --cost-report COGS --metric "CPU hours" --last 90d --chart margin.svg
                """)
        @Option(help: "The revenue metric's title.") var revenueMetric: String
        @Option(name: .customLong("cost-report"), help: "The cost report.") var costReport: String
        @Option(help: "A usage metric by whose daily share shared cost is allocated.") var metric: String?
        @Option(help: "Also write a bar chart of revenue, COGS and gross profit to this SVG file.") var chart: String?
        @OptionGroup var options: ReportOptions

        func run() async throws {
            try await options.run(chart: chart) { reports, period in
                try await reports.margin(revenueMetric: revenueMetric, costReport: costReport, allocateBy: metric, period: period)
            }
        }
    }

    struct Pricing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Current cost per unit and the price for each target margin: price = unit_cost / (1 − margin).",
            discussion: """
                Examples:
                  meterbridge report pricing --cost-report COGS --metric "CPU hours" --target-margins 20,40,60
                  meterbridge report pricing --cost-report COGS --metric "API requests" --target-margins 40%,60% --scale 1000
                """)
        @Option(name: .customLong("cost-report"), help: "The cost report.") var costReport: String
        @Option(help: "The usage metric's title.") var metric: String
        @Option(help: "Target gross margins in percent, comma-separated: 20,40,60 or 20%,40%.") var targetMargins: String = "20,40,60"
        @Option(help: "Price per this many units: 1, 100, 1000, 1000000 or 1000000000.") var scale: Int = 1
        @OptionGroup var options: ReportOptions

        func validate() throws {
            do { _ = try ReportCalculations.parseTargetMargins(targetMargins) } catch {
                throw ValidationError(error.message(naming: { "--\($0.rawValue)" }))
            }
        }

        func run() async throws {
            let margins = try ReportCalculations.parseTargetMargins(targetMargins)
            try await options.run { reports, period in
                try await reports.pricing(costReport: costReport, metric: metric, targetMargins: margins, period: period, scale: Decimal(scale))
            }
        }
    }

    struct Allocate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shared cost allocated per day by usage share; COGS and cost per unit per customer, with an unallocated row.",
            discussion: """
                Examples:
                  meterbridge report allocate --cost-report COGS --metric "CPU hours"
                  meterbridge report allocate --cost-report COGS --metric "CPU hours" --daily --format csv > allocation.csv
                """)
        @Option(name: .customLong("cost-report"), help: "The cost report.") var costReport: String
        @Option(help: "The usage metric's title.") var metric: String
        @Flag(help: "Add the per-day allocation (CSV: print it instead of the summary).") var daily = false
        @OptionGroup var options: ReportOptions

        func run() async throws {
            try await options.run(csvSection: daily ? 1 : 0) { reports, period in
                try await reports.allocate(costReport: costReport, metric: metric, period: period, daily: daily)
            }
        }
    }

    struct Portfolio: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Daily usage per metric, growth against the previous period, and the fastest-growing metric.",
            discussion: """
                Examples:
                  meterbridge report portfolio --metrics "CPU hours,API requests"
                  meterbridge report portfolio --metrics "CPU hours,API requests,Storage GB" --last 90d --chart growth.svg
                """)
        @Option(help: "Metric titles, comma-separated.") var metrics: String
        @Flag(help: "CSV: print the daily series instead of the growth summary.") var daily = false
        @Option(help: "Also write a line chart of daily usage to this SVG file.") var chart: String?
        @OptionGroup var options: ReportOptions

        func run() async throws {
            let titles = metrics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            try await options.run(chart: chart, csvSection: daily ? 1 : 0) { reports, period in
                try await reports.portfolio(metrics: titles, period: period)
            }
        }
    }
}

/// The options every report shares, and how a report is run and printed.
struct ReportOptions: ParsableArguments {
    @Option(help: "First UTC day (YYYY-MM-DD), inclusive.") var from: UTCDay?
    @Option(help: "Last UTC day (YYYY-MM-DD), inclusive.") var to: UTCDay?
    @Option(
        help: """
            The last N days of complete data, e.g. 30d or 4w (default 30d): the period ends on the last day \
            every input of the report is complete through, never on a day still changing.
            """)
    var last: String?
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let last, ReportPeriod.parseLast(last) == nil { throw ValidationError("--last: expected e.g. 30d or 4w") }
        _ = try choice()
    }

    /// The days asked for, by the rule every front-end shares (``PeriodChoice``).
    func choice() throws -> PeriodChoice {
        do {
            return try PeriodChoice(from: from, to: to, lastDays: last.flatMap(ReportPeriod.parseLast))
        } catch {
            throw ValidationError(error.message(naming: { "--\($0.rawValue)" }))
        }
    }

    func period() throws -> ReportPeriod {
        try choice().period(today: UTCDay(containing: Date()))
    }

    func run(
        chart: String? = nil, csvSection: Int = 0,
        _ body: (UnitEconomicsReports, ReportPeriod) async throws -> ReportOutput
    ) async throws {
        let period = try period()
        let output = try await CLIContext.run(database) { context in
            try await body(UnitEconomicsReports(pool: context.pool), period)
        }
        print(ReportRendering.render(output, format: format, csvSection: csvSection))
        if format == .csv {
            let lines = (output.partialPeriodWarning.map { ["⚠ \($0)"] } ?? []) + output.notes + [output.completeness.description]
            FileHandle.standardError.write(Data(lines.map { "# \($0)\n" }.joined().utf8))
        }
        if let chart, let data = output.chart {
            try SVGChartRenderer().render(data).write(toFile: chart, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("Wrote chart to \(chart)\n".utf8))
        }
    }
}

/// Prints a report as an aligned table (sections, notes, completeness), CSV (one section) or one JSON object.
enum ReportRendering {
    static func render(_ output: ReportOutput, format: OutputFormat, csvSection: Int = 0) -> String {
        switch format {
        case .table:
            var parts: [String] = [output.heading]
            if let warning = output.partialPeriodWarning { parts += TextWrap.lines("⚠ \(warning)", indent: "  ") }
            for (index, section) in output.sections.enumerated() {
                if index > 0 { parts.append("\n\(section.title)") }
                parts.append(TableOutput(columns: section.columns, rows: section.rows, kinds: ["formula": .wholeText]).table())
            }
            parts.append("")
            for note in output.notes + [output.completeness.description] { parts += TextWrap.lines(note, indent: "  ") }
            return parts.joined(separator: "\n")
        case .csv:
            let section = output.sections[min(csvSection, output.sections.count - 1)]
            return TableOutput(columns: section.columns, rows: section.rows).csv()
        case .json:
            return ReportJSON(output).text
        }
    }
}

