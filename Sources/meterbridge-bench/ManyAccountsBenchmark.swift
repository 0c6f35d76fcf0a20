import AsyncHTTPClient
import Foundation
import Importer
import JobQueue
import Logging
import Metronome
import Postgres

/// Many Metronome accounts imported at once by one fleet: each account a token of one sandbox process
/// (each token an account and a rate limit of its own), each a connection with its own budget. Measures
/// the fleet's use of the summed budgets, each connection's import time against its own floor, 429s,
/// pages fetched twice per connection, and the Postgres connections the fleet held.
struct ManyAccountsRun {
    /// What one run imports and with which fleet.
    struct Shape {
        var label: String
        var connections: Int
        /// Requests/s of each account (the sandbox's limit per token and each connection's budget).
        var rate: Double
        var customers: Int
        var days: Int
        var usageMetrics = 3
        /// One more account, this many customers, same rate (served by a sandbox of its own).
        var largeCustomers: Int?
        /// Pause connection 2 for the whole run (its jobs are held; the others must not slow down).
        var pauseOne = false
        /// Add a connection this many seconds into the import and plan it.
        var addAfterSeconds: Double?
        var workers = 2
        /// `meterbridge-worker` arguments; empty: the defaults of the README's fleet.
        var workerArguments: [String] = []
        /// Remove the per-connection caps after planning (the alternative without them).
        var uncapped = false
        var latencyMs = 0.0
        var latencyJitterMs = 0.0
        /// Run each worker on a host of its own (a network namespace); see ``SeparateHosts``.
        var hosts: SeparateHosts?
    }

    /// A connection's figures.
    struct ConnectionFigures {
        var name: String
        var requests: Int
        var rateLimited: Int
        var pagesTwice: Int
        /// From the fleet's first claim (or, for a connection added later, from its planning) to its last completion.
        var seconds: Double
        var floor: Double
        var ratio: Double { seconds / floor }
        var withinBound: Bool { seconds <= 1.1 * floor + 5 }
    }

    let bench: Bench
    let httpClient: HTTPClient
    let today: UTCDay

    func run(_ shape: Shape) async throws -> [String: Double] {
        var tokens = (1...shape.connections).map { "acct-\($0)" }
        if shape.addAfterSeconds != nil { tokens.append("acct-late") }
        let account = SandboxAccount(
            customers: shape.customers, usageMetrics: shape.usageMetrics, days: shape.days, rateLimit: shape.rate, revenue: true)
        var sandboxArguments = tokens.dropFirst().flatMap { ["--token", $0] }
        if shape.latencyMs > 0 || shape.latencyJitterMs > 0 {
            sandboxArguments += ["--latency-ms", String(shape.latencyMs), "--latency-jitter-ms", String(shape.latencyJitterMs)]
        }
        // On hosts of their own, the workers reach the sandbox through a relay on their own loopback (a
        // connection's base URL is https or loopback), which forwards across the bridge.
        if shape.hosts != nil { sandboxArguments += ["--host", "0.0.0.0"] }
        let sandbox = try SandboxProcess(account: account, endDate: today, token: tokens[0], extraArguments: sandboxArguments)
        defer { sandbox.stop() }
        try shape.hosts?.relayAPI(port: sandbox.port)
        var large: SandboxProcess?
        if let customers = shape.largeCustomers {
            var largeAccount = account
            largeAccount.customers = customers
            large = try SandboxProcess(
                account: largeAccount, endDate: today, token: "acct-large", extraArguments: shape.hosts.map { _ in ["--host", "0.0.0.0"] } ?? [])
            try shape.hosts?.relayAPI(port: large!.port)
        }
        defer { large?.stop() }

        let configuration = try await bench.freshSchema()
        try await bench.settle()
        let pool = PostgresConnectionPool(configuration: configuration, size: 8, logger: bench.logger)
        defer { Task { await pool.close() } }
        let setup = FleetSetup(pool: pool, logger: bench.logger, today: today, days: shape.days, usageMetrics: shape.usageMetrics)
        let initial = tokens.filter { $0 != "acct-late" }
        var connections = zip(try await setup.addConnections(tokens: initial, sandbox: sandbox, rate: shape.rate), initial).map {
            (record: $0, token: $1, sandbox: sandbox)
        }
        if let large {
            connections.append((try await setup.addConnection(name: "acct-large", token: "acct-large", sandbox: large, rate: shape.rate), "acct-large", large))
        }
        let queue = JobQueue(pool: pool, logger: bench.logger)
        let planner = setup.planner(queue: queue)
        try await planner.plan()
        // One connection paused once its jobs are queued, as an operator would.
        let paused = shape.pauseOne && connections.count > 1 ? connections[1].record : nil
        if let paused { try await ConnectionStore(pool: pool, environment: [:]).setStatus(paused.id, .paused) }
        if shape.uncapped {
            try await queue.setGroupCaps(try await queue.admin.groups().map { JobGroup(key: $0.key, maxRunning: nil) })
        }
        let sandboxes = [sandbox] + (large.map { [$0] } ?? [])
        let before = try await Self.tokenStats(sandboxes, httpClient)

        let cpuBefore = CPUTimes.now()
        let startedAt = Date()
        let started = ContinuousClock.now
        let processes = try (0..<shape.workers).map { index in
            try WorkerProcess(
                schema: configuration.searchPath ?? "public", slots: nil, today: today, arguments: shape.workerArguments,
                launcher: shape.hosts?.launcher(worker: index) ?? [],
                environment: shape.hosts?.environment(worker: index, database: bench.base) ?? [:])
        }
        let sampler = Task { try await Self.peakWorkerBackends(pool: pool) }
        var late: (record: ConnectionRecord, plannedAt: Date)?
        if let after = shape.addAfterSeconds {
            try await Task.sleep(for: .seconds(after))
            let record = try await setup.addConnection(name: "acct-late", token: "acct-late", sandbox: sandbox, rate: shape.rate)
            let plannedAt = Date()
            try await planner.plan()
            late = (record, plannedAt)
            connections.append((record, "acct-late", sandbox))
        }
        // Wait for every connection but the paused one; then cancel the paused one's jobs so the workers go idle.
        // Two statements per poll, not one per connection: at 200 connections that was 800 queries a
        // second competing with the fleet it measures.
        while try await Self.unfinishedJobs(queue: queue, except: paused?.id) > 0 {
            try await Task.sleep(for: .milliseconds(250))
        }
        if let paused { _ = try await queue.admin.cancel(JobQueue.Filter(argsContainJSON: ImportJobArgs.selecting(connectionID: paused.id))) }
        var workerPeakMB = 0.0
        for process in processes {
            let status = await process.waitForExit()
            guard status == 0 else { throw BenchError("a worker exited with status \(status)") }
            workerPeakMB = max(workerPeakMB, process.peakMB)
        }
        let wholeSeconds = (ContinuousClock.now - started).seconds
        let cpuBusy = CPUTimes.now().busyShare(since: cpuBefore)
        sampler.cancel()
        let peakBackends = (try? await sampler.value) ?? 0

        let jobs = try await queue.admin.list(JobQueue.Filter(finishedSince: startedAt), limit: 1_000_000)
        let t0 = try require(jobs.compactMap(\.attemptedAt).min(), "no job was claimed")
        var lastCompletion: [Int64: Date] = [:]
        var notCompleted = 0
        for job in jobs {
            guard let id = Self.connectionID(job.argsJSON) else { continue }
            if job.state != .completed {
                if id != paused?.id { notCompleted += 1 }
                continue
            }
            if let end = job.finalizedAt { lastCompletion[id] = max(lastCompletion[id] ?? end, end) }
        }
        guard notCompleted == 0 else { throw BenchError("\(notCompleted) job(s) did not complete") }
        var figures: [ConnectionFigures] = []
        let afterAll = try await Self.tokenStats(sandboxes, httpClient)
        for (record, token, _) in connections where record.id != paused?.id {
            let after = afterAll[token] ?? .init()
            let spent = after - (before[token] ?? .init())
            let begin = late?.record.id == record.id ? late!.plannedAt : t0
            let end = try require(lastCompletion[record.id], "connection \(record.name) completed nothing")
            figures.append(
                ConnectionFigures(
                    name: record.name, requests: spent.requests, rateLimited: spent.rateLimited, pagesTwice: spent.pagesTwice,
                    seconds: end.timeIntervalSince(begin), floor: Double(spent.requests) / shape.rate))
        }
        let importSeconds = try require(lastCompletion.values.max()).timeIntervalSince(t0)
        let requests = figures.reduce(0) { $0 + $1.requests }
        let rateLimited = figures.reduce(0) { $0 + $1.rateLimited }
        let pagesTwice = figures.reduce(0) { $0 + $1.pagesTwice }
        let summedRate = shape.rate * Double(figures.count)
        let floor = Double(requests) / summedRate
        let use = floor / importSeconds
        let ratios = figures.filter { $0.name != "acct-late" }.map(\.ratio).sorted()
        let median = ratios[ratios.count / 2]
        let outOfBound = figures.filter { !$0.withinBound }
        let lateStart = try late.map { late -> Double in
            let first = try require(
                jobs.filter { Self.connectionID($0.argsJSON) == late.record.id }.compactMap(\.attemptedAt).min(), "the late connection never ran")
            return first.timeIntervalSince(late.plannedAt)
        }
        let fleet = shape.workerArguments.isEmpty ? "\(shape.workers) × default" : "\(shape.workers) × \(shape.workerArguments.joined(separator: " "))"
        emit(
            String(
                format: "  %@: %d × %.0f req/s, fleet %@%@%@: %d requests in %.1f s = %.1f req/s (floor %.1f s) = aggregate use %.3f; "
                    + "per connection time ÷ floor min %.3f median %.3f max %.3f; %d outside 1.1 × floor + 5 s; 429s %d (%.2f %%); "
                    + "pages twice %d; worker Postgres connections at most %d; workers' start to exit %.1f s; machine CPU busy %.0f %%; worker peak RSS %.1f MB",
                shape.label, figures.count, shape.rate, fleet, shape.uncapped ? ", caps removed" : "",
                shape.latencyMs > 0 ? String(format: ", API latency %.0f±%.0f ms", shape.latencyMs, shape.latencyJitterMs) : "",
                requests, importSeconds, Double(requests) / importSeconds, floor, use, ratios.first ?? 0, median, ratios.last ?? 0, outOfBound.count, rateLimited,
                100 * Double(rateLimited) / Double(max(requests, 1)), pagesTwice, peakBackends, wholeSeconds, cpuBusy * 100, workerPeakMB))
        for figure in figures where figure.name == "acct-large" || figure.name == "acct-late" || !figure.withinBound {
            emit(
                String(
                    format: "    %@: %d requests, %.1f s against a floor of %.1f s (%.3f)%@", figure.name, figure.requests, figure.seconds,
                    figure.floor, figure.ratio, figure.withinBound ? "" : " — outside the bound"))
        }
        if let lateStart { print(String(format: "    acct-late's first job ran %.2f s after the planner enqueued it", lateStart)) }
        var result: [String: Double] = [
            "connections": Double(figures.count), "rate": shape.rate, "requests": Double(requests), "seconds": importSeconds,
            "floor": floor, "use": use, "ratio_min": ratios.first ?? 0, "ratio_median": median, "ratio_max": ratios.last ?? 0,
            "outside_bound": Double(outOfBound.count), "rate_limited": Double(rateLimited), "pages_twice": Double(pagesTwice),
            "postgres_connections": Double(peakBackends), "whole_seconds": wholeSeconds, "cpu_busy": cpuBusy, "worker_peak_rss_mb": workerPeakMB,
        ]
        if let lateStart { result["late_start_seconds"] = lateStart }
        if let big = figures.first(where: { $0.name == "acct-large" }) { result["large_ratio"] = big.ratio }
        let line = result.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.4f", $0.value))" }.joined(separator: " ")
        emit("RESULT many_accounts=\(shape.label.replacingOccurrences(of: " ", with: "_")) \(line)")
        return result
    }

    /// The control plane at many connections: a planner cycle that enqueues everything, one with
    /// everything queued, the dry run of `meterbridge plan`, and the status `meterbridge status` and the
    /// console's overview load.
    func controlPlane(connections count: Int, metrics: Int, customers: Int, days: Int) async throws {
        let tokens = (1...count).map { "acct-\($0)" }
        let account = SandboxAccount(customers: customers, usageMetrics: metrics - 1, days: days, rateLimit: 100, revenue: true)
        let sandbox = try SandboxProcess(
            account: account, endDate: today, token: tokens[0], extraArguments: tokens.dropFirst().flatMap { ["--token", $0] })
        defer { sandbox.stop() }
        let configuration = try await bench.freshSchema()
        let pool = PostgresConnectionPool(configuration: configuration, size: 8, logger: bench.logger)
        defer { Task { await pool.close() } }
        let setup = FleetSetup(pool: pool, logger: bench.logger, today: today, days: days, usageMetrics: metrics - 1)
        _ = try await setup.addConnections(tokens: tokens, sandbox: sandbox, rate: 8)
        let queue = JobQueue(pool: pool, logger: bench.logger)
        let planner = setup.planner(queue: queue)
        func timed(_ body: () async throws -> Void) async throws -> Double {
            let started = ContinuousClock.now
            try await body()
            return (ContinuousClock.now - started).seconds
        }
        var planned = ImportPlanner.Summary()
        let first = try await timed { planned = try await planner.plan() }
        let again = try await timed { _ = try await planner.plan() }
        let dryRun = try await timed { _ = try await planner.plan(dryRun: true) }
        let status = try await timed { _ = try await ImportStatus.load(pool: pool, today: today) }
        // Every value of every metric stored, as after the import: status and plan again, and what counting
        // the values themselves would cost (the statement status ran before it read maintained counts).
        try await pool.withConnection { connection in
            try await connection.query("SET statement_timeout = 0")
            try await connection.query(
                """
                INSERT INTO metric_values (metric_id, day, customer_id, amount)
                SELECT m.id, d::date, c.id, (m.id * 7 + length(c.id))::numeric / 3
                FROM business_metrics m JOIN customers c ON c.connection_id = m.connection_id
                CROSS JOIN generate_series(m.since, $1::date, interval '1 day') d
                """, [today.description])
            try await connection.query("VACUUM ANALYZE metric_values")
            try await connection.query("RESET statement_timeout")
        }
        let values = try await pool.query("SELECT sum(value_count) FROM metric_value_counts").single().decode(Int.self, at: 0)
        let statusFull = try await timed { _ = try await ImportStatus.load(pool: pool, today: today) }
        let dryRunFull = try await timed { _ = try await planner.plan(dryRun: true) }
        let againFull = try await timed { _ = try await planner.plan() }
        let counting = try await timed { _ = try await pool.query("SELECT metric_id, count(*) FROM metric_values GROUP BY metric_id") }
        emit(
            String(
                format: "control plane, %d connections × %d metrics × %d customers × %d days: planner cycle enqueuing %d jobs %.2f s; "
                    + "with everything queued %.2f s; meterbridge plan (dry run) %.2f s; status (meterbridge status, the console's overview) %.2f s; "
                    + "with %d values stored: status %.2f s, plan %.2f s, planner cycle %.2f s (counting the values instead of reading their counts: %.2f s)",
                count, metrics, customers, days, planned.syncJobs + planned.backfillJobs + planned.catalogJobs, first, again, dryRun, status,
                values, statusFull, dryRunFull, againFull, counting))
        emit(
            "RESULT control_plane=\(count)x\(metrics) planner_first=\(String(format: "%.3f", first)) planner_again=\(String(format: "%.3f", again)) "
                + "plan_dry_run=\(String(format: "%.3f", dryRun)) status=\(String(format: "%.3f", status)) values=\(values) "
                + "status_full=\(String(format: "%.3f", statusFull)) plan_dry_run_full=\(String(format: "%.3f", dryRunFull)) "
                + "planner_full=\(String(format: "%.3f", againFull)) counting_values=\(String(format: "%.3f", counting))")
    }

    /// Every token's counters of `sandboxes`, one request each.
    static func tokenStats(_ sandboxes: [SandboxProcess], _ client: HTTPClient) async throws -> [String: SandboxProcess.TokenStats] {
        var result: [String: SandboxProcess.TokenStats] = [:]
        for sandbox in sandboxes { result.merge(try await sandbox.tokenStats(client)) { $1 } }
        return result
    }

    /// Jobs of every connection but `paused` that have not finished (every job of the bench names its
    /// connection).
    static func unfinishedJobs(queue: JobQueue, except paused: Int64?) async throws -> Int {
        func unfinished(_ filter: JobQueue.Filter) async throws -> Int {
            try await queue.admin.stateCounts(filter).filter { !$0.key.isFinal }.values.reduce(0, +)
        }
        let all = try await unfinished(JobQueue.Filter())
        guard let paused else { return all }
        return all - (try await unfinished(JobQueue.Filter(argsContainJSON: ImportJobArgs.selecting(connectionID: paused))))
    }

    static func connectionID(_ argsJSON: String) -> Int64? {
        (try? JSONDecoder().decode(CatalogJobArgs.self, from: Data(argsJSON.utf8)))?.connectionID
    }

    /// The most backends the workers held at once, sampled every 100 ms until cancelled.
    static func peakWorkerBackends(pool: PostgresConnectionPool) async throws -> Int {
        var peak = 0
        while !Task.isCancelled {
            let count = try await pool.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'meterbridge-worker%'"
            ).single().decode(Int.self, at: 0)
            peak = max(peak, count)
            try? await Task.sleep(for: .milliseconds(100))
        }
        return peak
    }
}

/// The machine's CPU time from `/proc/stat`, to tell a run limited by the budgets from one limited by the cores.
struct CPUTimes {
    var busy: Double
    var total: Double

    static func now() -> CPUTimes {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let line = stat.split(separator: "\n").first else {
            return CPUTimes(busy: 0, total: 0)
        }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double(String($0)) }
        guard fields.count >= 5 else { return CPUTimes(busy: 0, total: 0) }
        let total = fields.reduce(0, +)
        return CPUTimes(busy: total - fields[3] - fields[4], total: total)  // idle and iowait
    }

    func busyShare(since earlier: CPUTimes) -> Double {
        total > earlier.total ? (busy - earlier.busy) / (total - earlier.total) : 0
    }
}

/// Connections and metrics of the accounts, and the planner that plans them.
struct FleetSetup: Sendable {
    let pool: PostgresConnectionPool
    let logger: Logger
    let today: UTCDay
    let days: Int
    let usageMetrics: Int

    func addConnection(name: String, token: String, sandbox: SandboxProcess, rate: Double) async throws -> ConnectionRecord {
        let store = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: ImportRunner.secretKey))
        var connection = try await store.add(name: name, baseURL: sandbox.baseURL, token: token, rateLimit: Decimal(rate), customerBatchSize: 25)
        try await MetronomeClient.withClient(configuration: try store.clientConfiguration(for: connection), logger: logger) { client in
            _ = try await CatalogSync(pool: pool).sync(connection: connection, client: client)
        }
        connection = try await store.named(name)
        let since = today.adding(days: 1 - days)
        let metricIDs = try await CatalogSync(pool: pool).billableMetrics(of: connection).filter { !$0.archived }.map(\.id).sorted()
            .prefix(usageMetrics)
        let metrics = MetricStore(pool: pool)
        for id in metricIDs {
            _ = try await metrics.create(
                title: "\(name) usage \(id)", connection: connection, source: .usage(billableMetric: id), labelSource: .customerName,
                since: since)
        }
        _ = try await metrics.create(
            title: "\(name) revenue", connection: connection, source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal),
            labelSource: .customerName, since: since)
        return connection
    }

    /// A connection per token (named after it), in `tokens`' order, sixteen at a time: a catalog sync waits
    /// out each account's own small rate limit.
    func addConnections(tokens: [String], sandbox: SandboxProcess, rate: Double) async throws -> [ConnectionRecord] {
        var records: [ConnectionRecord] = []
        for chunk in stride(from: 0, to: tokens.count, by: 16).map({ Array(tokens[$0..<min($0 + 16, tokens.count)]) }) {
            let added = try await withThrowingTaskGroup(of: (Int, ConnectionRecord).self) { group in
                for (index, token) in chunk.enumerated() {
                    group.addTask { (index, try await addConnection(name: token, token: token, sandbox: sandbox, rate: rate)) }
                }
                return try await group.reduce(into: [Int: ConnectionRecord]()) { $0[$1.0] = $1.1 }
            }
            records += chunk.indices.map { added[$0]! }
        }
        return records
    }

    func planner(queue: JobQueue) -> ImportPlanner {
        var options = ImportPlanner.Options()
        options.maxBacklog = 1_000_000
        return ImportPlanner(queue: queue, options: options, clock: ImportClock(pinnedDay: today), logger: logger)
    }
}

extension SandboxProcess {
    /// One token's counters.
    struct TokenStats {
        var requests = 0
        var rateLimited = 0
        var pagesTwice = 0

        static func - (a: TokenStats, b: TokenStats) -> TokenStats {
            TokenStats(requests: a.requests - b.requests, rateLimited: a.rateLimited - b.rateLimited, pagesTwice: a.pagesTwice - b.pagesTwice)
        }
    }

    /// Every token's counters, from `/__sandbox/stats`.
    func tokenStats(_ client: HTTPClient) async throws -> [String: TokenStats] {
        let response = try await client.execute(HTTPClientRequest(url: baseURL + "/__sandbox/stats"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
        var result: [String: TokenStats] = [:]
        for (token, value) in json["tokens"] as? [String: [String: Int]] ?? [:] {
            result[token] = TokenStats(
                requests: value["requests_total"] ?? 0, rateLimited: value["rate_limited"] ?? 0,
                pagesTwice: value["pages_served_more_than_once"] ?? 0)
        }
        return result
    }
}
