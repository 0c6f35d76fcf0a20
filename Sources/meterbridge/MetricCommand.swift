public import ArgumentParser
import CommandSupport
import TextOutput
import UnitEconomics
import UseCases
import Foundation
public import Importer
import JobQueue
public import Metronome
import Postgres

// On the command line the stored values are spelled with hyphens (`invoice-total`). ArgumentParser shows
// a default of such a type by its raw value, so options of these types name their default in their help.
extension LabelSource: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.replacingOccurrences(of: "-", with: "_")) }
    public static var allValueStrings: [String] { allCases.map(\.name) }
}

extension RevenueBasis: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.replacingOccurrences(of: "-", with: "_")) }
    public static var allValueStrings: [String] { allCases.map { $0.rawValue.replacingOccurrences(of: "_", with: "-") } }
}

extension UTCDay: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

struct MetricCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metric",
        abstract: "Business metrics: what is imported, its status, and its values.",
        discussion: """
            Examples:
              meterbridge metric create --title "CPU hours" --connection prod --usage "CPU hours" \\
                  --label-source ingest-alias --since 2025-01-01
              meterbridge metric create --title Revenue --connection prod --revenue --currency USD \\
                  --revenue-basis gross-usage --label-source customer-name --since 2025-01-01
              meterbridge metric list
              meterbridge metric show Revenue
              meterbridge metric edit Revenue --label-source customer-id
              meterbridge metric values --title Revenue --from 2026-11-01 --to 2026-11-07 --format csv
              meterbridge metric delete "CPU hours" --dry-run
            """,
        subcommands: [Create.self, List.self, Show.self, Edit.self, Delete.self, Values.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a revenue or usage metric; the planner imports it from --since.",
            discussion: """
                Usage: one billable metric's daily value per customer (days without events store nothing). \
                Revenue: daily invoice revenue per customer in one credit type, on the invoice-total basis \
                (after commits and credits) or the gross-usage basis (line items except applied commits and \
                credits). USD amounts are stored in dollars; other currencies as Metronome gives them.

                Examples:
                  meterbridge metric create --title Revenue --connection prod --revenue --currency USD \\
                      --label-source customer-name --since 2025-01-01
                  meterbridge metric create --title "CPU hours" --connection prod --usage "CPU hours" \\
                      --label-source ingest-alias --since 2025-01-01
                """)
        @Option(help: "A unique title.") var title: String
        @Option(help: "The connection to import from.") var connection: String
        @Option(help: "Label customers by customer-name, ingest-alias or customer-id.") var labelSource: LabelSource
        @Option(help: "First UTC day to import (YYYY-MM-DD).") var since: UTCDay
        @Option(help: "Import usage of this billable metric (name or id).") var usage: String?
        @Flag(help: "Import invoice revenue.") var revenue = false
        @Option(help: "With --revenue: the currency (USD, EUR, …).") var currency: String?
        @Option(help: "With --revenue: an explicit credit type id instead of --currency.") var creditTypeID: String?
        @Option(help: "With --revenue: invoice-total or gross-usage (default: invoice-total).") var revenueBasis: RevenueBasis?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard (usage != nil) != revenue else { throw ValidationError("pass either --usage BILLABLE_METRIC or --revenue") }
            if usage != nil, currency != nil || creditTypeID != nil {
                throw ValidationError("--currency and --credit-type-id go with --revenue")
            }
            if currency != nil && creditTypeID != nil { throw ValidationError("pass --currency or --credit-type-id, not both") }
            guard since <= UTCDay(containing: Date()) else { throw ValidationError("--since is in the future") }
            guard !title.isEmpty else { throw ValidationError("--title must not be empty") }
        }

        func run() async throws {
            let metric = try await CLIContext.run(database) { context in
                let connection = try await context.catalog.connection(named: connection)
                let source: MetricStore.Source =
                    if let usage { .usage(billableMetric: usage) } else {
                        .revenue(currency: currency, creditTypeID: creditTypeID, basis: revenueBasis ?? .invoiceTotal)
                    }
                return try await context.metrics.create(
                    title: title, connection: connection, source: source, labelSource: labelSource, since: since)
            }
            print("Created metric \(metric.title) (\(metric.kind.rawValue)); the planner imports it from \(metric.since).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List metrics with their import status.")
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let rows = try await CLIContext.run(database) { context in
                try await MetricStatus.all(pool: context.pool)
            }
            print(
                TableOutput(
                    columns: ["title", "kind", "source", "label_source", "status", "complete_through", "rows"],
                    rows: rows.map { [$0.title, $0.kind, $0.source, $0.labelSource.name, $0.status.rawValue, $0.completeThrough, String($0.rows)] },
                    kinds: ["rows": .count]
                ).render(format))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one metric.")
        @Argument(help: "The metric title.") var title: String
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let status = try await CLIContext.run(database) { context in
                let metric = try await context.catalog.metric(titled: title)
                return try await MetricStatus.all(pool: context.pool).first { $0.title == metric.title }!
            }
            let table = TableOutput(
                columns: ["title", "kind", "source", "label_source", "since", "status", "complete_through", "rows", "failed_jobs"],
                rows: [[
                    status.title, status.kind, status.source, status.labelSource.name, status.since, status.status.rawValue, status.completeThrough,
                    String(status.rows), String(status.failedJobs),
                ]], kinds: ["rows": .count, "failed_jobs": .count])
            if format == .table {
                for (column, value) in zip(table.columns, table.rows[0]) { print("\(column): \(value ?? "")") }
            } else {
                print(table.render(format))
            }
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a metric's label source (takes effect at once).")
        @Argument(help: "The metric title.") var title: String
        @Option(help: "customer-name, ingest-alias or customer-id.") var labelSource: LabelSource
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CLIContext.run(database) { context in
                try await context.metrics.setLabelSource(try await context.catalog.metric(titled: title), labelSource)
            }
            print("Metric \(title) is now labeled by \(labelSource.rawValue).")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a metric, its values and coverage, and cancel its jobs.")
        @Argument(help: "The metric title.") var title: String
        @Flag(help: "Show what would be deleted; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CLIContext.run(database) { context in
                let metric = try await context.catalog.metric(titled: title)
                let rows = try await context.metrics.valueCount(metric)
                if dryRun {
                    print("Would delete metric \(title) and its \(rows) value(s).")
                    return
                }
                try Confirmation.confirm("Delete metric \(title) and its \(rows) value(s)?", yes: yes)
                try await context.metrics.delete(metric)
                print("Deleted metric \(title) (\(rows) value(s)).")
            }
        }
    }

    struct Values: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The imported daily values, by day and label.",
            discussion: """
                Examples:
                  meterbridge metric values --title "CPU hours" --last 7d
                  meterbridge metric values --title "CPU hours" --from 2026-01-01 --to 2026-01-31 --label Acme --format csv
                """)
        @Option(help: "The metric title.") var title: String
        @Option(help: "First UTC day (inclusive).") var from: UTCDay?
        @Option(help: "Last UTC day (inclusive).") var to: UTCDay?
        @Option(help: "The last N days through today (UTC), e.g. 7d or 4w, instead of --from/--to.") var last: String?
        @Option(help: "Only this label.") var label: String?
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if last != nil, from != nil || to != nil { throw ValidationError("pass --from/--to or --last, not both") }
            if let last, ReportPeriod.parseLast(last) == nil { throw ValidationError("--last: expected e.g. 7d or 4w, not \(last)") }
        }

        func run() async throws {
            var from = from
            var to = to
            if let last, let days = ReportPeriod.parseLast(last) {
                (from, to) = MetricValues.lastDays(days, through: UTCDay(containing: Date()))
            }
            let values = try await CLIContext.run(database) { context in
                try await MetricValues(pool: context.pool).of(titled: title, from: from, to: to, label: label).values
            }
            print(
                TableOutput(
                    columns: ["day", "label", "customer_id", "amount"],
                    rows: values.map { [$0.day.description, $0.label, $0.customerID, "\($0.amount)"] }
                ).render(format))
        }
    }
}

struct BillableMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billable-metrics", abstract: "What usage can be imported from a connection.",
        discussion: """
            Examples:
              meterbridge billable-metrics list --connection prod
              meterbridge billable-metrics list --connection prod --refresh --format csv
            """,
        subcommands: [List.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a connection's billable metrics.")
        @Option(help: "The connection name.") var connection: String
        @Flag(help: "Sync the catalog from Metronome first.") var refresh = false
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let rows = try await CLIContext.run(database) { context in
                let store = context.connections
                let record = try await context.catalog.connection(named: connection)
                if refresh {
                    _ = try await context.withClient(try store.clientConfiguration(for: record)) { client in
                        try await CatalogSync(pool: context.pool).sync(connection: record, client: client)
                    }
                }
                return try await CatalogSync(pool: context.pool).billableMetrics(of: record).map { metric -> [String?] in
                    [metric.id, metric.name, metric.aggregationType?.rawValue ?? "", String(metric.archived)]
                }
            }
            print(TableOutput(columns: ["id", "name", "aggregation", "archived"], rows: rows, kinds: ["archived": .flag]).render(format))
        }
    }
}
