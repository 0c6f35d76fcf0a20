import UseCases
import ArgumentParser
import CommandSupport
import Foundation
import Importer
import JobQueue
import Metronome

struct ReimportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reimport",
        abstract: "Import a metric's (or a connection's) history again, below the daily sync's priority.",
        discussion: """
            Safe at any time: imports replace exactly what Metronome reports, and rerunning while a reimport \
            is in progress adds nothing. Workers pick the jobs up from the backfill queue.

            Examples:
              meterbridge reimport --metric "CPU hours" --from 2026-01-01 --to 2026-03-31
              meterbridge reimport --connection prod --from 2025-01-01
            """)

    @Option(help: "The metric to reimport (its title).") var metric: String?
    @Option(help: "Reimport every metric of this connection.") var connection: String?
    @Option(help: "First UTC day (default: each metric's --since).") var from: UTCDay?
    @Option(help: "Last UTC day, inclusive (default: today).") var to: UTCDay?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (metric == nil) != (connection == nil) else { throw ValidationError("pass --metric or --connection") }
    }

    func run() async throws {
        let target: JobOperations.ReimportTarget = metric.map { .metric(title: $0) } ?? .connection(name: connection!)
        let reimport = try await CLIContext.run(database) { context in
            try await context.jobs.reimport(target, from: from, to: to, today: UTCDay(containing: Date()))
        }
        let added = reimport.jobsEnqueued
        print(
            "Enqueued \(added) reimport job(s), \(reimport.from) to \(reimport.to)"
                + "\(added == 0 ? " (already queued or nothing in range)" : "").")
    }
}
