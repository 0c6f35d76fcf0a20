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
        subcommands: [Create.self, Edit.self, List.self, Show.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a cost report.",
            discussion: """
                Filters (repeat --include and --exclude as needed; all conditions must hold):
                  FIELD=VALUE[,VALUE…]     the field is one of the values
                  tag:KEY=VALUE[,VALUE…]   the tag KEY has one of the values
                  tag:KEY                  the tag KEY is present
                FIELD: provider, service, service-category, charge-category, account (sub account), \
                billing-account, region, currency (the billing currency). Values match exactly; write \\, for a comma inside a value.

                --customer-tag KEY: cost whose tag KEY is set belongs to the Metronome customer it names \
                (matched against customer id, then ingest alias, then a unique name; ambiguous or unknown values \
                are reported on their own rows). Untagged cost is shared and split by usage.

                Examples:
                  meterbridge cost-report create COGS --include service-category=Compute,Storage,Networking \\
                      --include tag:env=prod --exclude charge-category=Tax,Purchase --customer-tag customer
                  meterbridge cost-report create aws-ec2 --include provider=AWS --include "service=Amazon EC2"
                """)
        @Argument(help: "A unique name.") var name: String
        @Option(help: "A condition rows must meet (see the discussion for the syntax).") var include: [String] = []
        @Option(help: "A condition rows must not meet.") var exclude: [String] = []
        @Option(help: "The tag whose value names the Metronome customer a cost belongs to.") var customerTag: String?
        @Flag(help: "Show the rows and cost each condition matches; save nothing.") var preview = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let filters =
                try include.map { try CostReportFilter(parsing: $0, exclude: false) }
                + exclude.map { try CostReportFilter(parsing: $0, exclude: true) }
            try await CLIContext.run(database) { context in
                let store = CostReportStore(pool: context.pool)
                let match = try await store.match(filters)
                if preview {
                    print(CostReportCommand.matchTable(match).table())
                } else {
                    let report = try await store.create(name: name, filters: filters, customerTag: customerTag)
                    print(
                        "Created cost report \(report.name) with \(report.filters.count) condition(s), matching "
                            + "\(CostReportCommand.describe(match.report)).")
                }
                CostReportCommand.printWarnings(match)
            }
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a cost report's conditions or customer tag.",
            discussion: """
                --include/--exclude replace all of the report's conditions (give every condition it should \
                have); without them the conditions stay. Prints what the report matches afterwards.

                Examples:
                  meterbridge cost-report edit COGS --include service-category=Compute,Storage --customer-tag customer
                  meterbridge cost-report edit COGS --no-customer-tag --preview
                """)
        @Argument(help: "The cost report's name.") var name: String
        @Option(help: "A condition rows must meet (replaces the conditions).") var include: [String] = []
        @Option(help: "A condition rows must not meet (replaces the conditions).") var exclude: [String] = []
        @Option(help: "The tag whose value names the Metronome customer a cost belongs to.") var customerTag: String?
        @Flag(help: "Remove the customer tag: all of the report's cost is shared.") var noCustomerTag = false
        @Flag(help: "Show what the changed report would match; save nothing.") var preview = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if noCustomerTag, customerTag != nil { throw ValidationError("pass --customer-tag or --no-customer-tag, not both") }
        }

        func run() async throws {
            let replacing = !include.isEmpty || !exclude.isEmpty
            let newFilters =
                try include.map { try CostReportFilter(parsing: $0, exclude: false) }
                + exclude.map { try CostReportFilter(parsing: $0, exclude: true) }
            try await CLIContext.run(database) { context in
                let store = CostReportStore(pool: context.pool)
                let current = try await store.named(name)
                let filters = replacing ? newFilters : current.filters
                let tag = noCustomerTag ? nil : (customerTag ?? current.customerTag)
                let match = try await store.match(filters)
                if preview {
                    print(CostReportCommand.matchTable(match).table())
                } else {
                    let report = try await store.update(name: name, filters: filters, customerTag: tag)
                    print(
                        "Changed cost report \(report.name): \(report.filters.count) condition(s)"
                            + (report.customerTag.map { ", customer tag \($0)" } ?? ", no customer tag")
                            + ", matching \(CostReportCommand.describe(match.report)).")
                }
                CostReportCommand.printWarnings(match)
            }
        }
    }

    /// `12,775 cost rows, 1,234.56 USD`.
    static func describe(_ amount: CostReportMatch.Amount) -> String {
        let cost = amount.cost.sorted { $0.key < $1.key }.map { "\(NumberText.grouped($0.value, fractionDigits: 2)) \($0.key)" }
        return "\(NumberText.grouped(amount.rows)) cost rows" + (cost.isEmpty ? "" : ", " + cost.joined(separator: " + "))
    }

    /// Rows and cost per condition, then the report's and all imported cost.
    static func matchTable(_ match: CostReportMatch) -> TableOutput {
        func cost(_ amount: CostReportMatch.Amount) -> String {
            amount.cost.sorted { $0.key < $1.key }.map { "\(NumberText.grouped($0.value, fractionDigits: 2)) \($0.key)" }.joined(separator: " + ")
        }
        var rows: [[String?]] = match.conditions.map { condition in
            [condition.filter.description, NumberText.grouped(condition.matched.rows), cost(condition.matched)]
        }
        rows.append(["the report (every condition together)", NumberText.grouped(match.report.rows), cost(match.report)])
        rows.append(["all imported cost", NumberText.grouped(match.all.rows), cost(match.all)])
        return TableOutput(columns: ["Condition", "Rows matched", "Cost matched"], rows: rows, kinds: ["Condition": .wholeText])
    }

    /// Warnings go to standard error, where they are seen even when the output is piped.
    static func printWarnings(_ match: CostReportMatch) {
        for warning in match.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
    }

    static func table(_ reports: [CostReport]) -> TableOutput {
        TableOutput(
            columns: ["name", "filters", "customer_tag", "created_at"],
            rows: reports.map {
                [$0.name, $0.filters.map(\.description).joined(separator: " "), $0.customerTag, Timestamps.format($0.createdAt)]
            }, kinds: ["filters": .wholeText])
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cost reports.")
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let reports = try await CLIContext.run(database) { context in try await CostReportStore(pool: context.pool).list() }
            print(CostReportCommand.table(reports).render(format))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one cost report.")
        @Argument(help: "The cost report's name.") var name: String
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (report, match) = try await CLIContext.run(database) { context in
                let store = CostReportStore(pool: context.pool)
                let report = try await store.named(name)
                return (report, try await store.match(report.filters))
            }
            switch format {
            case .table:
                print("name: \(report.name)")
                print("customer_tag: \(report.customerTag ?? "")")
                print("created_at: \(Timestamps.format(report.createdAt))")
                print("filters:" + (report.filters.isEmpty ? " (none: every cost row)" : ""))
                for filter in report.filters { print("  \(filter)") }
                print("")
                print(CostReportCommand.matchTable(match).table())
                CostReportCommand.printWarnings(match)
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
        @Argument(help: "The cost report's name.") var name: String
        @Flag(help: "Show what would be deleted; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @OptionGroup var database: DatabaseOptions

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
