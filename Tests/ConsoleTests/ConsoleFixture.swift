import AsyncHTTPClient
import Foundation
import Importer
import JobQueue
import Logging
import Metronome
import MetronomeSandbox
import Postgres
import TestSupport
import UnitEconomics

/// One database filled by a real import from the in-process sandbox, with FOCUS cost and a cost report,
/// shared by the console's tests (each test makes its own pool and server over it). Two customers are
/// renamed to hostile names afterwards: markup, quotes and right-to-left text.
struct ConsoleFixture: Sendable {
    static let token = "sandbox-secret-token-42"
    static let key = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()
    static let hostileName = "<script>alert(\"x\")</script> O'Brien & \"Sons\""
    static let rightToLeftName = "\u{202E}שלום עולם"
    static let logger = Logger(label: "console-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    let database: TestDatabase
    let usageMetric: BusinessMetric
    let revenueMetric: BusinessMetric
    let from: UTCDay
    let to: UTCDay

    static let shared = SharedFixture()

    /// Builds the fixture once; every test awaits the same one.
    actor SharedFixture {
        private var building: Task<ConsoleFixture, any Error>?

        func get() async throws -> ConsoleFixture {
            if let building { return try await building.value }
            let task = Task { try await ConsoleFixture.make() }
            building = task
            return try await task.value
        }
    }

    static func make() async throws -> ConsoleFixture {
        let database = try await TestDatabase.make(function: "console")
        let today = CivilDay(containingUnixSeconds: Int64(Date().timeIntervalSince1970))
        let account = AccountParameters(
            seed: 13, customerCount: 8, billableMetricCount: 2, dayCount: 20, lastDay: today)
        let sandbox = MetronomeSandbox(
            configuration: SandboxConfiguration(tokens: [token], account: account, rateLimit: 0))
        let pool = database.pool(size: 6)
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            let fixture = try await sandbox.withRunning(logger: logger) { running in
                try await fill(
                    database: database, pool: pool, httpClient: httpClient, baseURL: running.baseURL, today: today)
            }
            try await httpClient.shutdown()
            await pool.close()
            return fixture
        } catch {
            try? await httpClient.shutdown()
            await pool.close()
            throw error
        }
    }

    private static func fill(
        database: TestDatabase, pool: PostgresConnectionPool, httpClient: HTTPClient, baseURL: String, today: CivilDay
    ) async throws -> ConsoleFixture {
        let connections = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: key))
        let added = try await connections.add(
            name: "sandbox", baseURL: baseURL, token: token, rateLimit: 1_000, customerBatchSize: 4)
        try await MetronomeClient.withClient(
            configuration: try connections.clientConfiguration(for: added), logger: logger
        ) { client in
            _ = try await CatalogSync(pool: pool).sync(connection: added, client: client)
        }
        let connection = try await connections.named("sandbox")
        let metrics = MetricStore(pool: pool)
        let to = UTCDay(containing: Date())
        let from = to.adding(days: -19)
        let usage = try await metrics.create(
            title: "CPU hours", connection: connection, source: .usage(billableMetric: "CPU hours"),
            labelSource: .customerName,
            since: from)
        let revenue = try await metrics.create(
            title: "Revenue", connection: connection,
            source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal),
            labelSource: .customerName, since: from)
        let queue = JobQueue(pool: pool, logger: logger)
        try await ImportPlanner(queue: queue, logger: logger).plan()
        try await runWorkers(pool: pool, queue: queue, connections: connections, httpClient: httpClient)

        // Hostile names for the two customers with the most usage (labels resolve when read).
        let top = try await pool.query(
            "SELECT customer_id FROM metric_values WHERE metric_id = $1 GROUP BY 1 ORDER BY sum(amount) DESC, 1 LIMIT 2",
            [usage.id]
        ).map { try $0.decode(String.self, at: 0) }
        for (customer, name) in zip(top, [hostileName, rightToLeftName]) {
            try await pool.query("UPDATE customers SET name = $1 WHERE id = $2", [name, customer])
        }

        // Cost: each customer's compute tagged with its id, and shared networking, for the last ten days.
        let customers = try await pool.query("SELECT DISTINCT customer_id FROM metric_values ORDER BY 1")
            .map { try $0.decode(String.self, at: 0) }
        var focus =
            "ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,BillingCurrency,ServiceCategory,ServiceName,ProviderName,Tags\n"
        for offset in 0..<10 {
            let day = to.adding(days: -offset)
            let next = day.adding(days: 1)
            for (index, customer) in customers.enumerated() {
                let cost = "\(index + 1).25"
                focus +=
                    "\(day)T00:00:00Z,\(next)T00:00:00Z,\(cost),\(cost),USD,Compute,EC2,AWS,\"{\"\"customer\"\":\"\"\(customer)\"\"}\"\n"
            }
            focus += "\(day)T00:00:00Z,\(next)T00:00:00Z,3.50,3.50,USD,Compute,VPC,AWS,\"{}\"\n"
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("focus.csv")
        try Data(focus.utf8).write(to: file)
        _ = try await CostImporter(pool: pool, logger: logger).importFile(at: file.path, source: "cloud")
        try? FileManager.default.removeItem(at: directory)
        _ = try await CostReportStore(pool: pool).create(
            name: "COGS", filters: [try CostReportFilter(parsing: "service-category=Compute", exclude: false)],
            customerTag: "customer")
        return ConsoleFixture(database: database, usageMetric: usage, revenueMetric: revenue, from: from, to: to)
    }

    /// Runs one worker until no job is running or due.
    private static func runWorkers(
        pool: PostgresConnectionPool, queue: JobQueue, connections: ConnectionStore, httpClient: HTTPClient
    ) async throws {
        let handler = ImportJobHandler(pool: pool, connections: connections, httpClient: httpClient, logger: logger)
        var options = JobWorker.Options()
        options.queues = ImportQueue.all
        options.concurrency = 3
        options.exitWhenIdle = true
        options.pollInterval = .seconds(0.1)
        options.workerID = "console-test-worker"
        options.keepWaitingWhenIdle = {
            try await queue.admin.counts().contains { [.running, .available].contains($0.state) && $0.count > 0 }
        }
        try await JobWorker(queue: queue, handler: handler, options: options, logger: logger).run()
    }

    /// A pool over the fixture's schema (the caller closes it).
    func pool(size: Int = 4) -> PostgresConnectionPool { database.pool(size: size) }
}
