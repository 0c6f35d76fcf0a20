public import ArgumentParser
import UseCases
import CommandSupport
import TextOutput
import Foundation
public import JobQueue
import Logging
import Importer
import Metronome
import Postgres

/// Options that select jobs, shared by `jobs list`, `jobs retry` and `jobs cancel`.
struct JobSelectionOptions: ParsableArguments {
    @Option(help: "Only jobs of this kind (catalog_sync, import_usage, import_revenue).") var kind: String?
    @Option(help: "Only jobs in this queue (sync, backfill).") var queue: String?
    @Option(help: "Only jobs importing this metric (its title).") var metric: String?
    @Option(help: "Only jobs of this connection (its name).") var connection: String?
    @Option(name: .customLong("args"), help: "Only jobs whose JSON args contain this JSON, e.g. '{\"batch\": 3}'.")
    var argsJSON: String?

    func validate() throws {
        do { try selection().validate() } catch { throw ValidationError(error.message(naming: CLIContext.flag)) }
    }

    /// The selection these options make, narrowed to `ids`, `state` and `finishedSince`.
    func selection(ids: [Int64] = [], state: JobState? = nil, finishedSince: UTCDay? = nil) -> JobSelection {
        JobSelection(
            ids: ids, kind: kind, queue: queue, metric: metric, connection: connection, argsJSON: argsJSON, state: state,
            finishedSince: finishedSince)
    }
}

extension JobState: ExpressibleByArgument {}

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect, retry, cancel and prune import jobs.",
        discussion: """
            Examples:
              meterbridge jobs list --state discarded --metric "CPU hours"
              meterbridge jobs show 42
              meterbridge jobs retry 42 43
              meterbridge jobs retry --failed --metric "CPU hours" --since 2026-11-01 --dry-run
              meterbridge jobs cancel --metric "CPU hours" --yes
              meterbridge jobs prune --older-than 7d
            """,
        subcommands: [List.self, Show.self, Retry.self, Cancel.self, Prune.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var selection: JobSelectionOptions
        @Option(help: "Only jobs in this state (available, running, retryable, completed, discarded, cancelled).")
        var state: JobState?
        @Option(help: "At most this many jobs.") var limit = 50
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let jobs = try await CLIContext.run(database) { context in
                try await context.jobs.list(selection.selection(state: state), limit: limit)
            }
            let output = TableOutput(
                columns: ["id", "queue", "kind", "state", "attempt", "max_attempts", "run_at", "last_error", "args"],
                rows: jobs.map { job in
                    [
                        String(job.id), job.queue, job.kind, job.state.rawValue, String(job.attempt), String(job.maxAttempts),
                        Timestamps.format(job.runAt), job.errors.last?.error, job.argsJSON,
                    ]
                }, kinds: ["id": .count, "attempt": .count, "max_attempts": .count])
            print(output.render(format))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one job: args, state, attempts, every attempt's error, the saved cursor, timing.")
        @Argument(help: "The job id.") var id: Int64
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let job = try await CLIContext.run(database) { try await $0.jobs.job(id: id) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(Timestamps.format(date))
            }
            print(String(decoding: try encoder.encode(job), as: UTF8.self))
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Requeue discarded or cancelled jobs so they really run again (raises their max attempts).")
        @Argument(help: "Job ids to requeue.") var ids: [Int64] = []
        @Flag(help: "Requeue failed (discarded) jobs selected by the options below.") var failed = false
        @OptionGroup var selection: JobSelectionOptions
        @Option(help: "With --failed: only jobs that finished on or after this UTC day.") var since: UTCDay?
        @Flag(help: "Show what would be requeued; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if ids.isEmpty && !failed { throw ValidationError("name job ids, or pass --failed with optional filters") }
            if !ids.isEmpty && failed { throw ValidationError("pass job ids or --failed, not both") }
        }

        func run() async throws {
            try await CLIContext.run(database) { context in
                let selected = selection.selection(ids: ids, state: failed ? .discarded : nil, finishedSince: since)
                let preview = try await context.jobs.retry(selected, dryRun: true)
                if dryRun || preview.isEmpty {
                    print("Would requeue \(preview.count) job(s)\(preview.isEmpty ? "" : ": " + preview.map(String.init).joined(separator: ", ")).")
                    return
                }
                if failed { try Confirmation.confirm("Requeue \(preview.count) job(s)?", yes: yes) }
                let requeued = try await context.jobs.retry(selected)
                print("Requeued \(requeued.count) job(s).")
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel unfinished jobs, by id or by selection.")
        @Argument(help: "Job ids to cancel.") var ids: [Int64] = []
        @OptionGroup var selection: JobSelectionOptions
        @Flag(help: "Show what would be cancelled; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if ids.isEmpty && selection.selection().selectsEverything {
                throw ValidationError("name job ids, or select jobs with --metric/--connection/--kind/--queue/--args")
            }
        }

        func run() async throws {
            try await CLIContext.run(database) { context in
                let selected = selection.selection(ids: ids)
                let preview = try await context.jobs.cancel(selected, dryRun: true)
                if dryRun {
                    print("Would cancel \(preview.count) job(s).")
                    return
                }
                if preview.isEmpty {
                    print("No unfinished job matches; nothing to cancel.")
                    return
                }
                if ids.isEmpty || preview.count > 1 { try Confirmation.confirm("Cancel \(preview.count) job(s)?", yes: yes) }
                let cancelled = try await context.jobs.cancel(selected)
                print("Cancelled \(cancelled.count) job(s).")
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete finished jobs older than a retention (the workers also prune after 7 days).")
        @Option(help: "Age of the finished jobs to delete: 7d, 36h, 90m.") var olderThan: RetentionPeriod
        @Flag(help: "Show how many would be deleted; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CLIContext.run(database) { context in
                let count = try await context.queue.housekeeping.prunable(retention: .seconds(olderThan.seconds))
                if dryRun || count == 0 {
                    print("Would delete \(count) finished job(s).")
                    return
                }
                try Confirmation.confirm("Delete \(count) finished job(s)?", yes: yes)
                var deleted = 0
                while true {
                    let batch = try await context.queue.housekeeping.prune(retention: .seconds(olderThan.seconds), limit: 10_000)
                    deleted += batch
                    if batch == 0 { break }
                }
                print("Deleted \(deleted) finished job(s).")
            }
        }
    }
}

/// A duration written as a number and a unit: `7d`, `36h`, `90m`.
struct RetentionPeriod: ExpressibleByArgument, Sendable {
    var seconds: Double

    init?(argument: String) {
        guard let unit = argument.last, let value = Double(argument.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "d": seconds = value * 86_400
        case "h": seconds = value * 3_600
        case "m": seconds = value * 60
        default: return nil
        }
    }
}

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Queue depth, and pausing and resuming queues.",
        discussion: """
            Examples:
              meterbridge queue                 # jobs per queue and state
              meterbridge queue pause backfill  # workers stop claiming backfill jobs
              meterbridge queue resume          # resume every import queue
            """,
        subcommands: [Status.self, Pause.self, Resume.self], defaultSubcommand: Status.self)

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs per queue and state.")
        @Option(help: "table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let counts = try await CLIContext.run(database) { try await $0.queue.admin.counts() }
            print(
                TableOutput(
                    columns: ["queue", "state", "count", "paused"],
                    rows: counts.map { [$0.queue, $0.state.rawValue, String($0.count), String($0.paused)] },
                    kinds: ["count": .count, "paused": .flag]
                ).render(format))
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop workers from claiming a queue's jobs (all import queues when none is named).")
        @Argument(help: "The queue name (sync or backfill).") var name: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let name { try ImportQueue.validate(name) }
        }

        func run() async throws {
            let queues = name.map { [$0] } ?? ImportQueue.all
            try await CLIContext.run(database) { context in
                for queue in queues { try await context.queue.admin.pause(queue: queue) }
            }
            print("Paused \(queues.joined(separator: ", ")).")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let workers claim a paused queue's jobs again (all import queues when none is named).")
        @Argument(help: "The queue name (sync or backfill).") var name: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let name { try ImportQueue.validate(name) }
        }

        func run() async throws {
            let queues = name.map { [$0] } ?? ImportQueue.all
            try await CLIContext.run(database) { context in
                for queue in queues { try await context.queue.admin.resume(queue: queue) }
            }
            print("Resumed \(queues.joined(separator: ", ")).")
        }
    }
}

extension ImportQueue {
    /// Refuses a queue name no worker claims from (a typo would otherwise pause nothing, silently).
    static func validate(_ name: String) throws {
        guard all.contains(name) else { throw ValidationError("unknown queue \(name); the queues are \(all.joined(separator: ", "))") }
    }
}
