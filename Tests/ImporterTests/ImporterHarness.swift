import AsyncHTTPClient
import Foundation
import Importer
import JobQueue
import Logging
import Metronome
import MetronomeSandbox
import Postgres
import Testing
import TestSupport

/// A migrated test schema, an in-process sandbox on 127.0.0.1 port 0, and the importer's stores.
struct ImporterHarness: Sendable {
    static let token = "sandbox-secret-token-42"
    static let key = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

    let database: TestDatabase
    let pool: PostgresConnectionPool
    let sandbox: RunningSandbox
    let account: SandboxAccount
    let truth: @Sendable (TruthFilter) -> [TruthRow]
    /// The truth of another token's account.
    let truthOfToken: @Sendable (TruthFilter, String) -> [TruthRow]
    let connections: ConnectionStore
    let metrics: MetricStore
    let httpClient: HTTPClient
    let logger = Logger(label: "importer-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    static func today() -> CivilDay { CivilDay(containingUnixSeconds: Int64(Date().timeIntervalSince1970)) }

    static func run(
        account: AccountParameters, rateLimit: Double = 0, faults: FaultConfiguration = FaultConfiguration(),
        usageWindowsPerPage: Int = 200, tokens: [String] = [token], function: String = #function,
        _ body: @Sendable (ImporterHarness) async throws -> Void
    ) async throws {
        let database = try await TestDatabase.make(function: function)
        let sandbox = MetronomeSandbox(
            configuration: SandboxConfiguration(
                tokens: tokens, account: account, rateLimit: rateLimit, usageWindowsPerPage: usageWindowsPerPage, faults: faults))
        try await sandbox.withRunning(logger: Logger(label: "sandbox", factory: { _ in SwiftLogNoOpLogHandler() })) { running in
            let pool = database.pool(size: 6)
            let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let harness = ImporterHarness(
                database: database, pool: pool, sandbox: running, account: sandbox.account, truth: { sandbox.truth($0) },
                truthOfToken: { sandbox.truth($0, token: $1) },
                connections: ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: key)),
                metrics: MetricStore(pool: pool), httpClient: httpClient)
            do {
                try await body(harness)
            } catch {
                try? await httpClient.shutdown()
                await pool.close()
                throw error
            }
            try await httpClient.shutdown()
            await pool.close()
        }
    }

    var queue: JobQueue { JobQueue(pool: pool, logger: logger) }

    func addConnection(
        rateLimit: Decimal = 1_000, batchSize: Int = 3, name: String = "sandbox", token: String = ImporterHarness.token
    ) async throws -> ConnectionRecord {
        let connection = try await connections.add(
            name: name, baseURL: sandbox.baseURL, token: token, rateLimit: rateLimit, customerBatchSize: batchSize)
        try await MetronomeClient.withClient(
            configuration: try connections.clientConfiguration(for: connection), logger: logger
        ) { client in
            _ = try await CatalogSync(pool: pool).sync(connection: connection, client: client)
        }
        return try await connections.named(name)
    }

    /// Runs `workers` job workers until the queues are idle.
    /// With `stopWhenNothingDue`, workers stop once nothing can run now (snoozed jobs wait).
    func runWorkers(
        _ workers: Int = 2, concurrency: Int = 3, stopWhenNothingDue: Bool = false, clock: ImportClock = .system
    ) async throws {
        let handler = ImportJobHandler(pool: pool, connections: connections, httpClient: httpClient, clock: clock, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<workers {
                var options = JobWorker.Options()
                options.queues = ImportQueue.all
                options.concurrency = concurrency
                options.exitWhenIdle = true
                options.pollInterval = .seconds(0.1)
                options.workerID = "test-worker-\(index)"
                let pool = pool
                let horizon = stopWhenNothingDue ? 0 : 3_600
                options.keepWaitingWhenIdle = {
                    try await pool.query(
                        """
                        SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'running' OR (state IN ('available', 'retryable')
                            AND run_at <= now() + make_interval(secs => $1::float8)))
                        """, [horizon]
                    ).single().decode(Bool.self, at: 0)
                }
                let worker = JobWorker(queue: queue, handler: handler, options: options, logger: logger)
                let maintenance = QueueMaintenance(queue: queue, logger: logger)
                group.addTask {
                    try await worker.run()
                }
                group.addTask {
                    // Promote retries while the workers run (the maintenance service's job).
                    while !Task.isCancelled {
                        try await maintenance.runOnce()
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
            // Wait for the workers (the odd tasks are maintenance loops, cancelled afterwards).
            var finished = 0
            while finished < workers {
                try await group.next()
                finished += 1
            }
            group.cancelAll()
        }
    }

    /// The imported values of a metric, as (customer, day) → amount.
    func imported(_ metric: BusinessMetric) async throws -> [String: Decimal] {
        let rows = try await pool.query(
            "SELECT customer_id, day::text, amount FROM metric_values WHERE metric_id = $1", [metric.id])
        var result: [String: Decimal] = [:]
        for row in rows {
            result["\(try row.decode(String.self, at: 0))/\(try row.decode(String.self, at: 1))"] = try row.decode(Decimal.self, at: 2)
        }
        return result
    }

    /// The sandbox's truth for the same metric, keyed the same way.
    func expected(_ filter: TruthFilter) -> [String: Decimal] {
        var result: [String: Decimal] = [:]
        for row in truth(filter) { result["\(row.customerID)/\(row.day)"] = row.value }
        return result
    }
}
