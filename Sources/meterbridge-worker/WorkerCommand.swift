import ArgumentParser
import AsyncHTTPClient
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

/// Claims import jobs and runs them: as many processes on as many hosts as you like.
@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterbridge-worker",
        abstract: "Run MeterBridge import jobs (any number of workers, on any number of hosts).",
        discussion: """
            Needs DATABASE_URL (or PG* variables) and METERBRIDGE_SECRET_KEY, the key the connections' tokens \
            were saved with. SIGTERM: stop claiming, let running jobs finish (up to --shutdown-grace \
            seconds; a page being committed always commits), hand back the rest untouched (no attempt \
            used), exit 0. SIGINT: stop at once, releasing jobs best-effort (leases cover the rest). \
            METERBRIDGE_TODAY=YYYY-MM-DD pins the UTC day its refreshes are stamped with, a testing aid.

            Examples:
              meterbridge-worker                                  # the default: 128 jobs at once, 8 Postgres connections
              meterbridge-worker --http-port 9100 --http-host 0.0.0.0   # /healthz, /readyz, /metrics for a container
              meterbridge-worker --queues backfill --exit-when-idle     # a batch run that ends when the history is in
            """,
        version: MeterBridgeVersion.current)

    @OptionGroup(title: "Operations") var http: HTTPOptions
    @Option(
        help: """
            Jobs run at once by this process. A job waiting for its connection's request budget costs a task, \
            not a database connection, and each connection runs at most the jobs that keep its budget busy, \
            so the default serves 128 connections' jobs at once per worker.
            """)
    var concurrency = WorkerCommand.defaultConcurrency
    @Option(
        help: """
            Postgres connections this process's jobs share (the LISTEN connection is one more). Default: \
            --concurrency + 2, at most 8.
            """)
    var databaseConnections: Int?
    @Option(help: "Queues to claim from, in order (comma-separated).") var queues = ImportQueue.all.joined(separator: ",")
    @Option(help: "Seconds a claimed job stays leased without a heartbeat (heartbeats every third of it).")
    var leaseSeconds = 60.0
    @Option(help: "Seconds between polls when no notification arrives.") var pollInterval = 1.0
    @Option(help: "Seconds running jobs may finish after SIGTERM before they are released.") var shutdownGrace = 25.0
    @Flag(help: "Never LISTEN for wake-ups; poll only (behind PgBouncer in transaction mode).") var pollOnly = false
    @Flag(help: "Do not prepare statements (behind PgBouncer older than 1.21 in transaction mode).")
    var noPreparedStatements = false
    @Flag(help: "Exit when no job is available or running and none is due within --idle-horizon (batch runs, tests).")
    var exitWhenIdle = false
    @Option(help: "With --exit-when-idle: keep waiting while a job is due within this many seconds.") var idleHorizon = 600.0
    @Option(help: "/healthz fails once the claim loop or the heartbeat has not run for this many seconds.")
    var livenessThreshold = 120.0
    @Option(help: "Seconds one Metronome API request may take before it is retried as a transient failure.")
    var requestTimeout = 60.0
    @Option(help: "Seconds between the progress lines logged while jobs run (jobs completed, failed, waiting, running); 0: none.")
    var progressInterval = 30.0
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard concurrency > 0 && concurrency <= 10_000 else { throw ValidationError("--concurrency must be 1…10000") }
        if let databaseConnections, !(1...1_000).contains(databaseConnections) {
            throw ValidationError("--database-connections must be 1…1000")
        }
        guard requestTimeout > 0 && requestTimeout <= 3_600 else { throw ValidationError("--request-timeout must be in (0, 3600]") }
        guard leaseSeconds >= 3 else { throw ValidationError("--lease-seconds must be at least 3") }
        guard progressInterval >= 0 else { throw ValidationError("--progress-interval must be 0 (none) or more seconds") }
    }

    func run() async throws {
        let logger = LoggingSetup.bootstrap(label: "meterbridge.worker")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let cipher = try TokenCipher.fromEnvironment(ProcessInfo.processInfo.environment)
        var postgres = database.configuration(applicationName: "meterbridge-worker")
        if noPreparedStatements { postgres.preparedStatementCacheSize = 0 }
        // Every write of a worker can be made again: a page commit lost in a database crash is fetched
        // again from the job's previous checkpoint; a lost claim, heartbeat or request reservation costs
        // at most that. So no commit of a worker waits for its WAL flush.
        postgres.commitDurability = .asynchronous
        let pool = PostgresConnectionPool(
            configuration: postgres, size: Self.poolSize(concurrency: concurrency, databaseConnections: databaseConnections), logger: logger)
        var queueConfiguration = JobQueue.Configuration()
        queueConfiguration.lease = .seconds(leaseSeconds)
        if pollOnly { queueConfiguration.notifyChannel = nil }
        let queue = JobQueue(pool: pool, configuration: queueConfiguration, logger: logger)
        let clock: ImportClock
        do { clock = try ImportClock.fromEnvironment() } catch { throw ValidationError("\(error)") }
        let connections = ConnectionStore(pool: pool, cipher: cipher)
        do {
            let upgraded = try await connections.upgradeLegacyTokens()
            if upgraded > 0 { logger.info("sealed tokens again, bound to their connection", metadata: ["tokens": "\(upgraded)"]) }
        } catch {
            logger.warning("could not seal saved tokens again; their connections wait", metadata: ["error": "\(error)"])
        }
        do {
            try await Self.checkKey(connections, logger: logger)
        } catch {
            await pool.close()
            throw error
        }
        let httpClient = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: Self.httpConfiguration(concurrency: concurrency))
        let handler = ImportJobHandler(
            pool: pool, connections: connections, httpClient: httpClient, clock: clock,
            requestTimeout: .milliseconds(Int64((requestTimeout * 1_000).rounded())), logger: logger)

        var options = JobWorker.Options()
        options.queues = queues.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }
        options.concurrency = concurrency
        options.pollInterval = .seconds(pollInterval)
        options.shutdownGrace = .seconds(shutdownGrace)
        options.exitWhenIdle = exitWhenIdle
        options.progressInterval = .seconds(progressInterval)
        let liveness = WorkerLiveness()
        options.liveness = liveness
        let livenessThreshold = max(livenessThreshold, leaseSeconds)
        let horizon = idleHorizon
        options.keepWaitingWhenIdle = { try await queue.hasWork(dueWithin: .seconds(horizon)) }
        let worker = JobWorker(queue: queue, handler: handler, options: options, logger: logger)
        var maintenanceOptions = QueueMaintenance.Options()
        maintenanceOptions.candidateID = options.workerID
        let maintenance = QueueMaintenance(queue: queue, options: maintenanceOptions, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: maintenance),
        ]
        if let port = http.httpPort {
            let gauges = QueueDepthGauges(queue: queue)
            services.append(
                .init(
                    service: OperationsServer(
                        host: http.httpHost, port: port, registry: registry,
                        readiness: { await ReadinessCheck.check(pool: pool) },
                        liveness: { liveness.problem(threshold: .seconds(livenessThreshold)) }, beforeScrape: { await gauges.refresh() },
                        logger: logger)))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm],
                cancellationSignals: [.sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            try? await httpClient.shutdown()
            await pool.close()
            throw error
        }
        try await httpClient.shutdown()
        await pool.close()
    }

    /// A worker whose METERBRIDGE_SECRET_KEY opens none of the saved tokens refuses to start: every job it
    /// claimed would fail on its token. Connections whose token alone does not open (saved for another
    /// base URL, or under a key since replaced) are marked invalid, so `meterbridge status` says why their
    /// jobs wait.
    static func checkKey(_ connections: ConnectionStore, logger: Logger) async throws {
        let check = try await connections.checkKey()
        let names = check.unopened.map(\.name).sorted()
        if check.isWrongKey {
            throw WrongKey(connections: names)
        }
        for connection in check.unopened where connection.status == .active {
            let reason = "\(TokenCipher.keyVariable) does not open this connection's saved token; save it again with `meterbridge connection set-token \(connection.name)`"
            try await connections.markInvalid(connection.id, error: reason)
            logger.error("a saved token does not open; the connection is marked invalid", metadata: ["connection": "\(connection.name)"])
        }
    }

    struct WrongKey: Error, CustomStringConvertible {
        var connections: [String]
        var description: String {
            let listed = connections.prefix(5).joined(separator: ", ") + (connections.count > 5 ? " and \(connections.count - 5) more" : "")
            return "\(TokenCipher.keyVariable) opens none of the \(connections.count) saved Metronome token(s) (\(listed)): "
                + "it is not the key they were saved with. Start the worker with that key; after a key rotation, set "
                + "\(TokenCipher.previousKeyVariable) to the old key until `meterbridge secrets rotate-key` has run."
        }
    }

    /// Jobs a worker runs at once by default: enough for the README's fleet of two to serve 200 connections,
    /// or 200 requests/s over an API answering in 300 ms with room for the jobs waiting between pages.
    static let defaultConcurrency = 128

    /// The jobs' Postgres connections: a job holds one only to reserve a request and to commit a page.
    static func poolSize(concurrency: Int, databaseConnections: Int?) -> Int {
        databaseConnections ?? min(concurrency + 2, 8)
    }

    /// Keeps as many HTTP/1 connections per host alive as jobs may be sending at once (the client's default
    /// of 8 would bound a worker to 8 requests in flight: 27 requests/s at 300 ms).
    static func httpConfiguration(concurrency: Int) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, concurrency))
        return configuration
    }
}
