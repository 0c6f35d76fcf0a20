import ArgumentParser
import CommandSupport
import Foundation
import Importer
import JobQueue
import Logging
import Metrics
import Metronome
import Postgres
import Prometheus
import ServiceEndpoints
import ServiceLifecycle

/// Decides what to import and enqueues it. Several replicas are safe: one leads at a time.
@main
struct PlannerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterbridge-planner",
        abstract: "Plan MeterBridge imports: catalog refreshes, daily sync and history backfill.",
        discussion: """
            Every cycle: refresh stale catalogs; re-import the trailing --lookback-days of every metric \
            once per --sync-interval (Metronome accepts usage backdated 34 days and drafts change), and \
            optionally the last --hot-days once per --hot-interval; and top up the backfill of history \
            from each metric's --since, newest windows first, bounded by --max-backlog queued jobs.

            A sync costs one request per (customer, metric) pair whatever its lookback. The planner keeps \
            the sync, hot refresh and catalog within --sync-budget-share of each connection's request \
            budget by stretching their intervals (and says so in a log line, `meterbridge status` and the \
            meterbridge_sync_interval_seconds metric), so backfill always gets the rest. \
            `meterbridge plan` shows the same projection without enqueuing anything.

            Unique keys make a re-plan free; with several replicas one leads (a leader row in Postgres). \
            METERBRIDGE_TODAY=YYYY-MM-DD pins the UTC day, a testing aid.

            Examples:
              meterbridge-planner                                 # plan every 5 minutes
              meterbridge-planner --once                          # one cycle, then exit (cron, tests)
              meterbridge-planner --sync-interval 24h --hot-days 2 --hot-interval 1h
            """,
        version: MeterBridgeVersion.current)

    @OptionGroup(title: "Operations") var http: HTTPOptions
    @Flag(help: "Plan once and exit.") var once = false
    @Option(help: "Seconds between planning cycles.") var interval = 300.0
    @OptionGroup(title: "Plan") var plan: PlanOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
    }

    func run() async throws {
        let logger = LoggingSetup.bootstrap(label: "meterbridge.planner")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let pool = PostgresConnectionPool(
            configuration: database.configuration(applicationName: "meterbridge-planner"), size: 2, logger: logger)
        let queue = JobQueue(pool: pool, logger: logger)
        let planner = ImportPlanner(queue: queue, options: plan.options, clock: try plan.clock(), logger: logger)
        if once {
            let summary = try await planner.plan()
            print("Planned \(summary.catalogJobs) catalog, \(summary.syncJobs) sync and \(summary.backfillJobs) backfill job(s).")
            await pool.close()
            return
        }
        var services: [any Service] = [PlannerService(planner: planner, interval: .seconds(interval), logger: logger)]
        if let port = http.httpPort {
            let gauges = QueueDepthGauges(queue: queue)
            services.append(
                OperationsServer(
                    host: http.httpHost, port: port, registry: registry,
                    readiness: { await ReadinessCheck.check(pool: pool) }, beforeScrape: { await gauges.refresh() },
                    logger: logger))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await pool.close()
    }
}
