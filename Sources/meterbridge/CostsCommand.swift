import ArgumentParser
import CommandSupport
import TextOutput
import Foundation
import Metronome
import UnitEconomics

/// `meterbridge costs …`: FOCUS cost files in, listed, deleted.
struct CostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "costs",
        abstract: "Cloud cost from FOCUS files: import, list, delete.",
        subcommands: [Import.self, List.self, Delete.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a FOCUS 1.0–1.4 CSV file (plain or gzip).",
            discussion: """
                Columns may come in any order; unknown columns are ignored. Required: ChargePeriodStart, \
                ChargePeriodEnd, EffectiveCost, BilledCost, BillingCurrency. Every row is prorated across the UTC \
                days its [ChargePeriodStart, ChargePeriodEnd) overlaps; a row's daily shares add up to its cost \
                exactly. Re-importing a source replaces its rows for the days the file covers, in one transaction. \
                A malformed row fails the import (nothing changes) with its line and column, unless --skip-invalid. \
                Costs are decimals (-0.0104, 1.5E-7) of up to 38 digits, 28 before the point; text must be UTF-8.

                Examples:
                  meterbridge costs import aws-2026-11.csv.gz --source aws
                  meterbridge costs import gcp-focus.csv --source gcp --skip-invalid
                """)
        @Argument(help: "The FOCUS CSV file (.csv or .csv.gz).") var file: String
        @Option(help: "The source name (default: the file's name). Re-importing a source replaces its period.") var source: String?
        @Flag(help: "Skip invalid rows and report how many were skipped and why, instead of failing.") var skipInvalid = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let summary = try await CLIContext.run(database) { context in
                try await CostImporter(pool: context.pool, logger: context.logger)
                    .importFile(at: file, source: source, skipInvalid: skipInvalid)
            }
            let statistics = summary.statistics
            var text = "Imported \(NumberText.grouped(statistics.inputRows - statistics.skippedRows)) FOCUS row(s) from \(summary.fileName) as source \(summary.source)"
            if let first = statistics.firstDay, let last = statistics.lastDay {
                text += ": \(NumberText.grouped(statistics.dailyRows)) daily row(s), \(first) to \(last)"
            }
            print(text + ".")
            print("Replaced \(NumberText.grouped(summary.replacedRows)) earlier daily row(s) of source \(summary.source).")
            if statistics.skippedRows > 0 {
                print("Skipped \(statistics.skippedRows) invalid row(s):")
                for (reason, count) in statistics.skipped.sorted(by: { $0.key < $1.key }) { print("  \(reason): \(count)") }
                for example in statistics.skippedExamples { print("  e.g. \(example)") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per source and currency: period, rows, total effective and billed cost.")
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let sources = try await CLIContext.run(database) { context in try await CostStore(pool: context.pool).list() }
            print(
                TableOutput(
                    columns: ["source", "currency", "period_start", "period_end", "rows", "effective_cost", "billed_cost"],
                    rows: sources.map {
                        [$0.source, $0.currency, $0.periodStart.description, $0.periodEnd.description, String($0.rows),
                            "\($0.effectiveCost)", "\($0.billedCost)"]
                    },
                    kinds: ["rows": .count]
                ).render(format))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a source's cost rows and import records.")
        @Option(help: "The source to delete.") var source: String
        @Flag(help: "Show what would be deleted; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CLIContext.run(database) { context in
                let store = CostStore(pool: context.pool)
                guard let rows = try await store.dailyRowCount(source: source) else {
                    throw CLIError("no cost source named \(source)")
                }
                if dryRun {
                    print("Would delete cost source \(source) and its \(rows) daily row(s).")
                    return
                }
                try Confirmation.confirm("Delete cost source \(source) and its \(rows) daily row(s)?", yes: yes)
                _ = try await store.delete(source: source)
                print("Deleted cost source \(source) (\(rows) daily row(s)).")
            }
        }
    }
}
