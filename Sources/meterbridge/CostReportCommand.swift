import ArgumentParser
import CommandSupport
import TextOutput
import Foundation
import UnitEconomics

/// `meterbridge cost-report …`: saved filters over cost rows.
struct CostReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-report",
        abstract: "Cost reports: named filters over imported cost (e.g. COGS).",
        subcommands: [Create.self, List.self, Show.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a cost report.",
            discussion: """
                Filters (repeat --include and --exclude as needed; all conditions must hold):
                  FIELD=VALUE[,VALUE…]     the field is one of the values
                  tag:KEY=VALUE[,VALUE…]   the tag KEY has one of the values
                  tag:KEY                  the tag KEY is present
                FIELD: provider, service, service-category, charge-category, account (sub account), \
                billing-account, region. Values match exactly; write \\, for a comma inside a value.

                --customer-tag KEY: cost whose tag KEY is set belongs to the Metronome customer it names \
                (matched against customer id, then ingest alias, then a unique name; ambiguous or unknown values \
                are reported on their own rows). Untagged cost is shared and split by usage.

                Examples:
                  meterbridge cost-report create COGS --include service-category=Compute,Storage,Networking \\
                      --include tag:env=prod --exclude charge-category=Tax,Purchase --customer-tag customer
                  meterbridge cost-report create aws-ec2 --include provider=AWS --include "service=Amazon EC2"
                """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "A unique name.") var name: String
        @Option(help: "A condition rows must meet (see the discussion for the syntax).") var include: [String] = []
        @Option(help: "A condition rows must not meet.") var exclude: [String] = []
        @Option(help: "The tag whose value names the Metronome customer a cost belongs to.") var customerTag: String?

        func run() async throws {
            let filters =
                try include.map { try CostReportFilter(parsing: $0, exclude: false) }
                + exclude.map { try CostReportFilter(parsing: $0, exclude: true) }
            let report = try await CLIContext.run(database) { context in
                try await CostReportStore(pool: context.pool).create(name: name, filters: filters, customerTag: customerTag)
            }
            print("Created cost report \(report.name) with \(report.filters.count) condition(s).")
        }
    }

    static func table(_ reports: [CostReport]) -> TableOutput {
        TableOutput(
            columns: ["name", "filters", "customer_tag", "created_at"],
            rows: reports.map {
                [$0.name, $0.filters.map(\.description).joined(separator: " "), $0.customerTag, Timestamps.format($0.createdAt)]
            })
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cost reports.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let reports = try await CLIContext.run(database) { context in try await CostReportStore(pool: context.pool).list() }
            print(CostReportCommand.table(reports).render(format))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one cost report.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The cost report's name.") var name: String
        @Option(help: "table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let report = try await CLIContext.run(database) { context in try await CostReportStore(pool: context.pool).named(name) }
            switch format {
            case .table:
                print("name: \(report.name)")
                print("customer_tag: \(report.customerTag ?? "")")
                print("created_at: \(Timestamps.format(report.createdAt))")
                print("filters:" + (report.filters.isEmpty ? " (none: every cost row)" : ""))
                for filter in report.filters { print("  \(filter)") }
            case .csv:
                print(CostReportCommand.table([report]).csv())
            case .json:
                let json = CostReportCommand.table([report]).json()
                // One object for `show`.
                print(String(json.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a cost report (the cost rows stay).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The cost report's name.") var name: String
        @Flag(help: "Show what would be deleted; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false

        func run() async throws {
            try await CLIContext.run(database) { context in
                let store = CostReportStore(pool: context.pool)
                _ = try await store.named(name)
                if dryRun {
                    print("Would delete cost report \(name).")
                    return
                }
                try Confirmation.confirm("Delete cost report \(name)?", yes: yes)
                _ = try await store.delete(name: name)
                print("Deleted cost report \(name).")
            }
        }
    }
}
