import UseCases
import Foundation
import Importer
import JobQueue
import MCP
import Metronome
import Postgres
import UnitEconomics

/// Tools that change data, offered only with `meterbridge mcp --allow-actions`. They do what
/// `meterbridge jobs retry --failed` and `meterbridge reimport` do, through the same library calls.
enum ActionTools {
    static let all: [MeterBridgeTool] = [retryFailedJobs, reimport]

    static let retryFailedJobs = MeterBridgeTool(
        name: "retry_failed_jobs", title: "Retry failed import jobs",
        description: """
            CHANGES DATA: requeues failed (discarded) import jobs so workers run them again, like `meterbridge jobs \
            retry --failed`. Optionally only those of one metric or one connection; dry_run lists what would be \
            requeued and changes nothing.
            """,
        input: JSONSchema.object([
            "metric": JSONSchema.string("Only jobs importing this metric (its title)."),
            "connection": JSONSchema.string("Only jobs of this connection (its name)."),
            "dry_run": JSONSchema.boolean("Only say which jobs would be requeued.", default: false),
        ]),
        output: JSONSchema.object(
            [
                "job_ids": ["type": "array", "items": ["type": "integer"]], "dry_run": ["type": "boolean"],
                "count": JSONSchema.count,
            ],
            required: ["job_ids", "dry_run", "count"]),
        changesData: true
    ) { arguments, context in
        let pool = try actionPool(context)
        let dryRun = try arguments.boolean("dry_run") ?? false
        let selection = JobSelection(
            metric: try arguments.text("metric"), connection: try arguments.text("connection"), state: .discarded)
        let ids = try await JobOperations(pool: pool, logger: context.logger).retry(selection, dryRun: dryRun)
        context.logger.notice("Requeued failed jobs", metadata: ["jobs.count": "\(ids.count)", "dry_run": "\(dryRun)"])
        let list = ids.isEmpty ? "" : ": " + ids.map(String.init).joined(separator: ", ")
        return ToolAnswer(
            summary: (dryRun ? "Would requeue \(ids.count) failed job(s)" : "Requeued \(ids.count) failed job(s)")
                + list + ".",
            structured: [
                "job_ids": .array(ids.map { .int(Int($0)) }), "dry_run": .bool(dryRun), "count": .int(ids.count),
            ])
    }

    static let reimport = MeterBridgeTool(
        name: "reimport", title: "Reimport a metric's history",
        description: """
            CHANGES DATA: enqueues jobs that import a metric's history again between from and to (UTC days, inclusive; \
            default: from the metric's first day to today), below the daily sync's priority, like `meterbridge \
            reimport`. Safe to repeat: imports replace exactly what Metronome reports, and jobs already queued are \
            not added twice.
            """,
        input: JSONSchema.object(
            [
                "metric": JSONSchema.string("The metric to reimport (its title)."),
                "from": JSONSchema.day("First UTC day (default: the metric's first day)."),
                "to": JSONSchema.day("Last UTC day, inclusive (default: today)."),
            ], required: ["metric"]),
        output: JSONSchema.object(
            [
                "metric": JSONSchema.text, "from": JSONSchema.text, "to": JSONSchema.text,
                "jobs_enqueued": JSONSchema.count,
            ],
            required: ["metric", "from", "to", "jobs_enqueued"]),
        changesData: true
    ) { arguments, context in
        let pool = try actionPool(context)
        let reimport = try await JobOperations(pool: pool, logger: context.logger).reimport(
            .metric(title: try arguments.requiredText("metric")),
            from: try arguments.day("from"), to: try arguments.day("to"), today: context.today())
        let (metric, first, last, added) = (reimport.metrics[0], reimport.from, reimport.to, reimport.jobsEnqueued)
        return ToolAnswer(
            summary: "Enqueued \(added) reimport job(s) for \(metric), \(first) to \(last)"
                + (added == 0
                    ? " (already queued or nothing in range)." : "; workers pick them up from the backfill queue."),
            structured: [
                "metric": .string(metric), "from": .string(first.description), "to": .string(last.description),
                "jobs_enqueued": .int(added),
            ])
    }

    static func actionPool(_ context: ToolContext) throws -> PostgresConnectionPool {
        guard let pool = context.actionPool else {
            throw ToolInputError(
                "this server is read only: start it with --allow-actions to use tools that change data")
        }
        return pool
    }
}
