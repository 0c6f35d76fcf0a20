import AsyncHTTPClient
import Foundation
import Importer
import JobQueue
import Logging
import MCP
import MCPServer
import Metronome
import MetronomeSandbox
import Postgres
import TestSupport
import Testing
import UnitEconomics

/// One database filled by a real import from the in-process sandbox (usage, a gauge, USD revenue) and
/// two FOCUS cost sources (USD and EUR), shared by the suites that only read it.
actor MCPFixture {
    static let shared = MCPFixture()

    static let token = "mcp-sandbox-token-7"
    static let key = Data((0..<32).map { UInt8($0 * 11 % 256) }).base64EncodedString()
    static let logger = Logger(label: "mcp-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// What the tests need to know about the filled database.
    struct Filled: Sendable {
        let database: TestDatabase
        /// The period the reports are asked about: the last 10 days of history (all with cost).
        let period: ReportPeriod
        let customerIDs: [String]
        let usageTitle = "CPU hours"
        let countTitle = "API requests"
        let gaugeTitle = "Peak seats"
        let revenueTitle = "Revenue"
    }

    private var filled: Task<Filled, any Error>?

    func database() async throws -> Filled {
        if let filled { return try await filled.value }
        let task = Task { try await Self.fill() }
        filled = task
        return try await task.value
    }

    static func today() -> UTCDay { UTCDay(containing: Date()) }

    private static func fill() async throws -> Filled {
        let database = try await TestDatabase.make(function: "mcpfixture")
        let lastDay = CivilDay(containingUnixSeconds: Int64(Date().timeIntervalSince1970))
        let account = AccountParameters(
            seed: 14, customerCount: 6, billableMetricCount: 5, dayCount: 40, lastDay: lastDay)
        let sandbox = MetronomeSandbox(configuration: SandboxConfiguration(tokens: [token], account: account))
        let pool = database.pool(size: 4)
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            let customerIDs = try await sandbox.withRunning(logger: logger) { running in
                try await importFromSandbox(running, account: sandbox.account, pool: pool, httpClient: httpClient)
            }
            let today = Self.today()
            let period = try ReportPeriod(from: today.advanced(by: -9), to: today)
            try await importCost(pool: pool, period: period, customerIDs: customerIDs)
            try await httpClient.shutdown()
            await pool.close()
            return Filled(database: database, period: period, customerIDs: customerIDs)
        } catch {
            try? await httpClient.shutdown()
            await pool.close()
            throw error
        }
    }

    /// Creates the connection and four metrics, plans, and runs workers until the queues are empty.
    private static func importFromSandbox(
        _ running: RunningSandbox, account: SandboxAccount, pool: PostgresConnectionPool, httpClient: HTTPClient
    ) async throws -> [String] {
        let connections = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: key))
        let added = try await connections.add(
            name: "sandbox", baseURL: running.baseURL, token: token, rateLimit: 1_000, customerBatchSize: 3)
        try await MetronomeClient.withClient(
            configuration: try connections.clientConfiguration(for: added), logger: logger
        ) { client in
            _ = try await CatalogSync(pool: pool).sync(connection: added, client: client)
        }
        let connection = try await connections.named("sandbox")
        let since = UTCDay(account.firstDay.description)!
        let metrics = MetricStore(pool: pool)
        let byName = Dictionary(uniqueKeysWithValues: account.metrics.map { ($0.name, $0.id) })
        for (title, name) in [
            ("CPU hours", "CPU hours"), ("API requests", "API requests"), ("Peak seats", "Peak concurrent seats"),
        ] {
            _ = try await metrics.create(
                title: title, connection: connection, source: .usage(billableMetric: byName[name]!),
                labelSource: .customerName, since: since)
        }
        _ = try await metrics.create(
            title: "Revenue", connection: connection,
            source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal),
            labelSource: .customerName, since: since)
        let queue = JobQueue(pool: pool, logger: logger)
        try await ImportPlanner(queue: queue, logger: logger).plan()
        let handler = ImportJobHandler(
            pool: pool, connections: connections, httpClient: httpClient, clock: .system, logger: logger)
        var options = JobWorker.Options()
        options.queues = ImportQueue.all
        options.concurrency = 3
        options.exitWhenIdle = true
        options.pollInterval = .seconds(0.1)
        options.workerID = "mcp-test-worker"
        let maintenance = QueueMaintenance(queue: queue, logger: logger)
        options.keepWaitingWhenIdle = {
            // Promote due retries (the maintenance service's job) and wait while anything is left to run.
            _ = try await maintenance.runOnce()
            return try await queue.admin.counts().contains {
                [.available, .retryable, .running].contains($0.state) && $0.count > 0
            }
        }
        try await JobWorker(queue: queue, handler: handler, options: options, logger: logger).run()
        let failed = try await queue.admin.list(JobQueue.Filter(state: .discarded))
        guard failed.isEmpty else {
            throw TestDatabaseError(description: "import jobs failed: \(failed.map { $0.errors.last?.error ?? "" })")
        }
        return account.customers.map(\.id)
    }

    /// USD cost from "aws": per day 1, 2 and 3 tagged to the first three customers, 7.25 shared, and
    /// storage outside COGS; EUR cost from "gcp": 3 a day, shared.
    private static func importCost(pool: PostgresConnectionPool, period: ReportPeriod, customerIDs: [String])
        async throws
    {
        var aws =
            "ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,BillingCurrency,ProviderName,ServiceCategory,Tags\n"
        var gcp = aws
        for day in period.days {
            let start = "\(day)T00:00:00Z"
            let end = "\(day.advanced(by: 1))T00:00:00Z"
            for (index, customer) in customerIDs.prefix(3).enumerated() {
                aws +=
                    "\(start),\(end),\(index + 1),\(index + 1),USD,AWS,Compute,\"{\"\"customer\"\":\"\"\(customer)\"\"}\"\n"
            }
            aws += "\(start),\(end),7.25,7.25,USD,AWS,Compute,\"{\"\"env\"\":\"\"prod\"\"}\"\n"
            aws += "\(start),\(end),100,100,USD,AWS,Storage,\n"
            gcp += "\(start),\(end),3,3,EUR,GCP,Compute,\n"
        }
        let importer = CostImporter(pool: pool, logger: logger)
        for (source, text) in [("aws", aws), ("gcp", gcp)] {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent(
                "mcp-\(source)-\(UUID().uuidString).csv")
            try Data(text.utf8).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            _ = try await importer.importFile(at: url.path, source: source)
        }
        let reports = CostReportStore(pool: pool)
        _ = try await reports.create(
            name: "COGS",
            filters: [
                try CostReportFilter(parsing: "provider=AWS", exclude: false),
                try CostReportFilter(parsing: "service-category=Compute", exclude: false),
            ], customerTag: "customer")
        _ = try await reports.create(
            name: "All compute", filters: [try CostReportFilter(parsing: "service-category=Compute", exclude: false)],
            customerTag: "customer")
    }
}

/// An MCP client connected in process (in-memory transport) to a server on a test database.
struct ConnectedClient: Sendable {
    let client: Client
    let server: Server
    let readPool: PostgresConnectionPool
    let actionPool: PostgresConnectionPool?
    let tools: MeterBridgeMCPServer

    static func connect(_ database: TestDatabase, allowActions: Bool = false) async throws -> ConnectedClient {
        var readOnly = database.configuration
        readOnly.readOnly = true
        let readPool = PostgresConnectionPool(configuration: readOnly, size: 2, logger: MCPFixture.logger)
        let actionPool = allowActions ? database.pool(size: 1) : nil
        let tools = MeterBridgeMCPServer(
            context: ToolContext(readPool: readPool, actionPool: actionPool, logger: MCPFixture.logger),
            allowActions: allowActions)
        let server = await tools.makeServer(version: "test")
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverTransport)
        let client = Client(name: "meterbridge-tests", version: "1")
        try await client.connect(transport: clientTransport)
        return ConnectedClient(client: client, server: server, readPool: readPool, actionPool: actionPool, tools: tools)
    }

    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
    }

    /// The structured result of a call that must succeed.
    func structured(_ name: String, _ arguments: [String: Value] = [:]) async throws -> [String: Value] {
        let result = try await call(name, arguments)
        guard result.isError != true, let object = result.structuredContent?.objectValue else {
            throw TestDatabaseError(description: "\(name) failed: \(result.text)")
        }
        return object
    }

    func close() async {
        await client.disconnect()
        await server.stop()
        await readPool.close()
        await actionPool?.close()
    }
}

extension CallTool.Result {
    /// All text content, joined.
    var text: String {
        content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined(separator: "\n")
    }
}

extension Value {
    /// The value as Foundation JSON objects, to compare with what `JSONSerialization` reads from the CLI.
    var foundation: Any {
        switch self {
        case .null: NSNull()
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .data(_, let data): data.base64EncodedString()
        case .array(let values): values.map(\.foundation)
        case .object(let values): values.mapValues(\.foundation)
        }
    }

    subscript(_ key: String) -> Value? { objectValue?[key] }

    var rows: [[String: Value]] { (self["rows"]?.arrayValue ?? []).compactMap(\.objectValue) }
}

extension [String: MCP.Value] {
    /// A report's `rows`.
    var rows: [[String: MCP.Value]] { (self["rows"]?.arrayValue ?? []).compactMap(\.objectValue) }
}

/// The suites that fill a database, start servers and spawn processes run one after another, so that
/// together they add no more load to a shared machine than one of them.
@Suite("MCP server", .serialized)
struct MCPServerSuites {}
