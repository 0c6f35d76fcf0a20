import ArgumentParser
import CommandSupport
import TextOutput
import Foundation
import Importer

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Dry run of the planner: per connection, what the backfill still needs and what the sync costs.",
        discussion: """
            Counts requests from the API's paging rules (usage: one request per customer and metric per \
            200 days; revenue: per customer and credit type per 35 days; catalog lists: per 100 items). \
            The backfill figure covers every day never imported, queued jobs included; its time assumes \
            the budget the recurring refreshes leave. Takes the planner's flags, so it shows what \
            `meterbridge-planner` with the same flags will do. Enqueues nothing.

            The last line sums every connection: they import side by side, each at its own budget, so \
            the whole history is in when the slowest connection's is. JSON: {"connections": [...], "total": {...}}.

            Examples:
              meterbridge plan
              meterbridge plan --sync-interval 12h --hot-interval 1h
              meterbridge plan --format json
            """)

    @OptionGroup(title: "Plan") var plan: PlanOptions
    @Option(help: "table or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if format == .csv { throw ValidationError("plan prints table or json") }
    }

    func run() async throws {
        let options = plan.options
        let clock = try plan.clock()
        try await CLIContext.run(database) { context in
            let planner = ImportPlanner(queue: context.queue, options: options, clock: clock, logger: context.logger)
            let projections = try await planner.plan(dryRun: true).projections
            let total = PlanTotal(projections)
            if format == .json {
                struct Output: Encodable {
                    var connections: [ImportPlanner.Projection]
                    var total: PlanTotal
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                print(String(decoding: try encoder.encode(Output(connections: projections, total: total)), as: UTF8.self))
                return
            }
            if projections.isEmpty { print("No connections.") }
            for projection in projections {
                print("\(projection.connection): \(PlanText.summary(projection))")
            }
            if projections.count > 1 { print("total: \(PlanText.summary(total))") }
        }
    }
}

/// One line for a connection's plan, shared by `plan` and `status`.
enum PlanText {
    static func summary(_ projection: ImportPlanner.Projection) -> String {
        summary(ImportStatus.Plan(projection), rate: projection.requestsPerSecond)
    }

    static func summary(_ plan: ImportStatus.Plan, rate: Double) -> String {
        let backfill =
            plan.backfillRequests == 0
            ? "backfill done"
            : "backfill \(count(plan.backfillRequests)) requests ≈ \(plan.backfillSeconds.map(hours) ?? "never (no budget)") at \(number(rate)) req/s"
        var sync = "sync \(count(Int(plan.syncRequestsPerDay.rounded()))) requests/day = \(percent(plan.syncBudgetShare)) of the budget"
        sync += " (every \(Interval.format(plan.syncIntervalSeconds))" + (plan.hotIntervalSeconds.map { ", hot every \(Interval.format($0))" } ?? "") + ")"
        if plan.stretched { sync += ", stretched to fit its share" }
        return backfill + "; " + sync
    }

    /// The line for every connection together.
    static func summary(_ total: PlanTotal) -> String {
        let backfill =
            total.backfillRequests == 0
            ? "backfill done"
            : "backfill \(count(total.backfillRequests)) requests ≈ \(total.backfillSeconds.map(hours) ?? "never (a connection has no budget)")"
                + " at \(number(total.requestsPerSecond)) req/s summed (the slowest connection's)"
        return "\(total.connections) connections; " + backfill
            + "; sync \(count(Int(total.syncRequestsPerDay.rounded()))) requests/day = \(percent(total.syncBudgetShare)) of the summed budget"
    }

    static func count(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    static func percent(_ share: Double) -> String {
        share < 0.1 ? String(format: "%.1f %%", share * 100) : String(format: "%.0f %%", share * 100)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    static func hours(_ seconds: Double) -> String {
        seconds < 3_600 ? String(format: "%.0f min", (seconds / 60).rounded(.up)) : String(format: "%.1f h", seconds / 3_600)
    }
}
