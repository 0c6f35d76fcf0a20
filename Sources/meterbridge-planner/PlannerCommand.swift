import ArgumentParser
import CommandSupport
import Foundation
import Importer
import JobQueue
import Logging
import Metronome
import Postgres
import ServiceLifecycle

/// Decides what to import and enqueues it. Several replicas are safe: one leads at a time.
@main
struct PlannerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterbridge-planner",
        abstract: "Plan MeterBridge imports: catalog refreshes, daily sync and history backfill.",
        discussion: """
            Every cycle: refresh stale catalogs, re-import the trailing --lookback-days of every metric
            (Metronome accepts usage backdated 34 days and drafts change), and top up the backfill of
            history from each metric's --since, bounded by --max-backlog queued jobs. Unique keys make a
            re-plan free; with several replicas one leads (a leader row in Postgres).
            """,
        version: MeterBridgeVersion.current)

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Plan once and exit.") var once = false
    @Option(help: "Seconds between planning cycles.") var interval = 300.0
    @Option(help: "Days re-imported every cycle.") var lookbackDays = 35
    @Option(help: "Days per usage job (one API page holds 200 daily windows).") var usageWindowDays = 200
    @Option(help: "Days per revenue job (a breakdown page holds 35 days).") var revenueWindowDays = 175
    @Option(help: "Stop adding backfill jobs while this many wait.") var maxBacklog = 10_000
    @Option(help: "Refresh each connection's catalog at least this often (seconds).") var catalogInterval = 86_400.0

    func validate() throws {
        guard lookbackDays >= 1 else { throw ValidationError("--lookback-days must be at least 1") }
        guard (1...200).contains(usageWindowDays) else { throw ValidationError("--usage-window-days must be 1…200") }
        guard revenueWindowDays >= 1 else { throw ValidationError("--revenue-window-days must be at least 1") }
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
    }

    func run() async throws {
        let logger = LoggingSetup.bootstrap(label: "meterbridge.planner")
        let pool = PostgresConnectionPool(
            configuration: database.configuration(applicationName: "meterbridge-planner"), size: 2, logger: logger)
        let queue = JobQueue(pool: pool, logger: logger)
        var options = ImportPlanner.Options()
        options.lookbackDays = lookbackDays
        options.usageWindowDays = usageWindowDays
        options.revenueWindowDays = revenueWindowDays
        options.maxBacklog = maxBacklog
        options.catalogIntervalSeconds = catalogInterval
        options.syncIntervalSeconds = min(interval, 3_600)
        let planner = ImportPlanner(queue: queue, options: options, logger: logger)
        if once {
            let summary = try await planner.plan()
            print("Planned \(summary.catalogJobs) catalog, \(summary.syncJobs) sync and \(summary.backfillJobs) backfill job(s).")
            await pool.close()
            return
        }
        let service = PlannerService(planner: planner, queue: queue, interval: interval, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await pool.close()
    }
}

/// The planning loop; plans only while this replica leads.
struct PlannerService: Service {
    let planner: ImportPlanner
    let queue: JobQueue
    let interval: Double
    let logger: Logger
    let candidate = JobWorker.defaultWorkerID()

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await queue.tryLead(role: "planner", candidate: candidate, ttlSeconds: interval * 3) {
                        try await planner.plan()
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("planning failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            }
        }
        try? await queue.resign(role: "planner", candidate: candidate)
    }
}
