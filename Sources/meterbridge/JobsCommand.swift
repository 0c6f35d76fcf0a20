public import ArgumentParser
import CommandSupport
import Foundation
public import JobQueue
import Logging
import Postgres

/// Options that select jobs, shared by `jobs list`, `jobs retry` and `jobs cancel`.
struct JobSelection: ParsableArguments {
    @Option(name: .customLong("id"), help: "A job id (repeatable).") var ids: [Int64] = []
    @Option(help: "Only jobs of this kind.") var kind: String?
    @Option(help: "Only jobs in this queue.") var queue: String?
    @Option(help: "Only jobs in this state (available, running, retryable, completed, discarded, cancelled).")
    var state: JobState?
    @Option(name: .customLong("args"), help: "Only jobs whose JSON args contain this JSON, e.g. '{\"metric_ids\": [3]}'.")
    var argsJSON: String?

    var filter: JobQueue.Filter {
        JobQueue.Filter(ids: ids.isEmpty ? nil : ids, kind: kind, argsContainJSON: argsJSON, queue: queue, state: state)
    }

    var isEmpty: Bool { ids.isEmpty && kind == nil && queue == nil && state == nil && argsJSON == nil }

    func validate() throws {
        if let argsJSON, (try? JSONSerialization.jsonObject(with: Data(argsJSON.utf8))) as? [String: Any] == nil {
            throw ValidationError("--args must be a JSON object")
        }
    }
}

extension JobState: ExpressibleByArgument {}

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect, retry and cancel import jobs.",
        subcommands: [List.self, Show.self, Retry.self, Cancel.self])

    static func withQueue<T: Sendable>(
        _ database: DatabaseOptions, _ body: @Sendable (JobQueue) async throws -> T
    ) async throws -> T {
        let logger = LoggingSetup.bootstrap(label: "meterbridge.jobs", defaultLevel: .warning)
        let pool = PostgresConnectionPool(
            configuration: database.configuration(applicationName: "meterbridge-cli"), size: 1, logger: logger)
        let queue = JobQueue(pool: pool, logger: logger)
        do {
            let value = try await body(queue)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var selection: JobSelection
        @Option(help: "At most this many jobs.") var limit = 50
        @Option(help: "table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let jobs = try await JobsCommand.withQueue(database) { [selection, limit] in
                try await $0.list(selection.filter, limit: limit)
            }
            let output = TableOutput(
                columns: ["id", "queue", "kind", "state", "attempt", "max_attempts", "run_at", "last_error", "args"],
                rows: jobs.map { job in
                    [
                        String(job.id), job.queue, job.kind, job.state.rawValue, String(job.attempt), String(job.maxAttempts),
                        Timestamps.format(job.runAt), job.errors.last?.error, job.argsJSON,
                    ]
                })
            print(output.render(format))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job with its whole error history.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The job id.") var id: Int64

        func run() async throws {
            guard let job = try await JobsCommand.withQueue(database, { [id] in try await $0.job(id: id) }) else {
                throw ValidationError("no job with id \(id)")
            }
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
            abstract: "Requeue discarded or cancelled jobs so they run again (raises their max attempts).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var selection: JobSelection
        @Flag(help: "Show what would be requeued; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false

        func validate() throws {
            if selection.isEmpty { throw ValidationError("name jobs with --id, or select them with --kind/--queue/--state/--args") }
        }

        func run() async throws {
            let filter = selection.filter
            let preview = try await JobsCommand.withQueue(database) { try await $0.requeue(filter, dryRun: true) }
            if dryRun || preview.isEmpty {
                print("Would requeue \(preview.count) job(s)\(preview.isEmpty ? "" : ": " + preview.map(String.init).joined(separator: ", ")).")
                return
            }
            if preview.count > 1 || selection.ids.isEmpty {
                try Confirmation.confirm("Requeue \(preview.count) job(s)?", yes: yes)
            }
            let requeued = try await JobsCommand.withQueue(database) { try await $0.requeue(filter) }
            print("Requeued \(requeued.count) job(s).")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel unfinished jobs.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var selection: JobSelection
        @Flag(help: "Show what would be cancelled; change nothing.") var dryRun = false
        @Flag(help: "Do not ask for confirmation.") var yes = false

        func validate() throws {
            if selection.isEmpty { throw ValidationError("name jobs with --id, or select them with --kind/--queue/--args") }
        }

        func run() async throws {
            let filter = selection.filter
            let preview = try await JobsCommand.withQueue(database) { try await $0.cancel(filter, dryRun: true) }
            if dryRun || preview.isEmpty {
                print("Would cancel \(preview.count) job(s).")
                return
            }
            try Confirmation.confirm("Cancel \(preview.count) job(s)?", yes: yes)
            let cancelled = try await JobsCommand.withQueue(database) { try await $0.cancel(filter) }
            print("Cancelled \(cancelled.count) job(s).")
        }
    }
}

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Queue depth, and pausing and resuming queues.",
        subcommands: [Status.self, Pause.self, Resume.self], defaultSubcommand: Status.self)

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs per queue and state.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let counts = try await JobsCommand.withQueue(database) { try await $0.counts() }
            print(
                TableOutput(
                    columns: ["queue", "state", "count", "paused"],
                    rows: counts.map { [$0.queue, $0.state.rawValue, String($0.count), String($0.paused)] }
                ).render(format))
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop workers from claiming a queue's jobs.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The queue name.") var name: String

        func run() async throws {
            try await JobsCommand.withQueue(database) { [name] in try await $0.pause(queue: name) }
            print("Paused queue \(name).")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let workers claim a paused queue's jobs again.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The queue name.") var name: String

        func run() async throws {
            try await JobsCommand.withQueue(database) { [name] in try await $0.resume(queue: name) }
            print("Resumed queue \(name).")
        }
    }
}
