import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Importer
import JobQueue
import Logging
import Metronome
import Postgres

/// End to end against `metronome-sandbox` processes: requests sent against the paging minimum, the
/// share of the rate limit used by 1, 2 and 4 worker processes, the steady state of the daily sync,
/// worker memory over 1 and 5 years, and rows/s with limits off. Every figure is measured in the run.
struct ImportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a sandbox account with worker processes and report requests, budget use, steady state and memory.",
        discussion: """
            Needs the release binaries metronome-sandbox and meterbridge-worker beside this one \
            (scripts/bench import builds them). Lines starting with RESULT are for scripts.
            """)

    @Option(
        help: "Scenarios (comma-separated): efficiency, memory, throughput, many-accounts, alternatives, fairness, latency, control-plane.")
    var scenarios = "efficiency,memory,throughput"
    @Option(help: "many-accounts: the fleets' accounts, as connections×requests/s (comma-separated).")
    var manyAccounts = "1x5,10x5,40x5,200x2"
    @Option(help: "many-accounts, alternatives, fairness, latency: customers of each account.") var accountCustomers = 40
    @Option(help: "many-accounts: meterbridge-worker arguments (space-separated; default: none, the README's fleet).")
    var fleetArguments = ""
    @Option(help: "many-accounts, alternatives, fairness, latency: days of each account's history.") var accountDays = 120
    @Option(help: "latency: the sandbox's added milliseconds per answer, and its jitter.") var latencyMs = 150.0
    @Option(help: "latency: up to this many milliseconds more per answer.") var latencyJitterMs = 50.0
    @Option(help: "latency: milliseconds added each way between the worker hosts and Postgres.") var postgresDelayMs = 0.5
    @Option(help: "Customers of the efficiency account.") var customers = 1_000
    @Option(help: "Usage metrics imported (one USD revenue metric is added).") var metrics = 8
    @Option(help: "Days of history.") var days = 1_095
    @Option(help: "The sandbox's rate limit and the connection's budget, requests/s.") var rateLimit = 200.0
    @Option(help: "Worker process counts to run the efficiency import with (comma-separated).") var workerCounts = "1,2,4"
    @Option(help: "Jobs each worker process runs at once.") var slots = 4
    @Option(help: "Customers per import batch.") var batchSize = 25
    @Option(help: "Days the steady state advances after the last efficiency run.") var steadyDays = 3
    @Option(help: "Days of history for the memory runs (comma-separated).") var memoryDays = "365,1825"
    @Option(help: "Customers of the memory and throughput accounts.") var smallCustomers = 200
    @Option(help: "Days of history for the throughput run.") var throughputDays = 365
    @Option(help: "Throughput runs, each on a fresh schema and sandbox; the median is reported.") var throughputRuns = 3
    @Option(help: "Worker processes of the throughput runs (one account: one worker saturates it).") var throughputWorkers = 1
    @Option(help: "Last day of the sandbox's history, the pinned today.") var endDate = "2026-11-29"

    func run() async throws {
        let bench = try await Bench.start()
        let chosen = Set(scenarios.split(separator: ",").map(String.init))
        let today = try UTCDay(endDate).orThrow("--end-date must be YYYY-MM-DD")
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await runScenarios(chosen, today: today, httpClient: httpClient, bench: bench)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    private func runScenarios(_ chosen: Set<String>, today: UTCDay, httpClient: HTTPClient, bench: Bench) async throws {
        let runner = ImportRunner(bench: bench, httpClient: httpClient, today: today, batchSize: batchSize, slots: slots)

        if chosen.contains("efficiency") {
            let counts = workerCounts.split(separator: ",").compactMap { Int($0) }
            print("efficiency: \(customers) customers × \(metrics) usage metrics + USD revenue, \(days) days, R = \(rateLimit) req/s")
            for (index, workers) in counts.enumerated() {
                let account = SandboxAccount(customers: customers, usageMetrics: metrics, days: days, rateLimit: rateLimit, revenue: true)
                try await runner.withAccount(account, today: today) { session in
                    let run = try await session.importAll(workers: workers)
                    run.printEfficiency(workers: workers, rateLimit: rateLimit)
                    if index == counts.count - 1 && steadyDays > 0 {
                        try await session.steadyState(days: steadyDays, workers: workers)
                    }
                }
            }
        }
        if chosen.contains("memory") {
            var peaks: [Double] = []
            for days in memoryDays.split(separator: ",").compactMap({ Int($0) }) {
                let account = SandboxAccount(customers: smallCustomers, usageMetrics: metrics, days: days, rateLimit: 0, revenue: true)
                try await runner.withAccount(account, today: today) { session in
                    let run = try await session.importAll(workers: 1)
                    peaks.append(run.workerPeakMB)
                    print(
                        String(
                            format: "memory: %d days, %d customers: worker peak RSS %.1f MB (%d requests, %d rows)", days, smallCustomers,
                            run.workerPeakMB, run.requests, run.rows))
                    print("RESULT memory_days=\(days) worker_peak_rss_mb=\(String(format: "%.1f", run.workerPeakMB))")
                }
            }
            if peaks.count >= 2 {
                print(String(format: "memory growth from the first to the last: %+.1f %%", (peaks.last! / peaks.first! - 1) * 100))
            }
        }
        let fleet = ManyAccountsRun(bench: bench, httpClient: httpClient, today: today)
        let base = ManyAccountsRun.Shape(label: "", connections: 1, rate: 5, customers: accountCustomers, days: accountDays)
        if chosen.contains("many-accounts") {
            emit("many accounts: each \(accountCustomers) customers × 3 usage metrics + USD revenue, \(accountDays) days; the default fleet")
            for item in manyAccounts.split(separator: ",") {
                let parts = item.split(separator: "x")
                guard parts.count == 2, let count = Int(parts[0]), let rate = Double(parts[1]), count > 0, rate > 0 else {
                    throw BenchError("--many-accounts takes connections×rate items such as 40x5")
                }
                var shape = base
                shape.label = "\(count)x\(parts[1])"
                shape.connections = count
                shape.rate = rate
                shape.workerArguments = fleetArguments.split(separator: " ").map(String.init)
                // Accounts at a smaller budget are smaller, so every run's floor stays about a minute.
                if count * Int(rate) > 200 { shape.customers = max(4, accountCustomers * 200 / (count * Int(rate))) }
                _ = try await fleet.run(shape)
            }
        }
        if chosen.contains("alternatives") {
            emit("alternatives: 40 accounts × 5 req/s, the same account, other fleets")
            for (label, arguments, uncapped) in [
                ("caps off", [String](), true), ("8 slots", ["--concurrency", "8"], false), ("32 slots", ["--concurrency", "32"], false),
            ] {
                var shape = base
                shape.label = "40x5 \(label)"
                shape.connections = 40
                shape.workerArguments = arguments
                shape.uncapped = uncapped
                _ = try await fleet.run(shape)
            }
        }
        if chosen.contains("fairness") {
            emit("fairness: 10 accounts × 5 req/s and one 10× larger; one paused throughout; one added 15 s in")
            var shape = base
            shape.label = "fairness"
            shape.connections = 10
            shape.customers = max(2, accountCustomers / 5)
            shape.largeCustomers = shape.customers * 10
            shape.pauseOne = true
            shape.addAfterSeconds = 15
            _ = try await fleet.run(shape)
            // The alternative: the same without per-connection caps, so the large account's backlog fills
            // the slots first.
            shape.label = "fairness caps off"
            shape.uncapped = true
            _ = try await fleet.run(shape)
        }
        if chosen.contains("control-plane") {
            try await fleet.controlPlane(connections: 200, metrics: 10, customers: 20, days: 365)
        }
        if chosen.contains("latency") {
            guard SeparateHosts.available else { throw BenchError("the latency scenario needs root and ip(8) for network namespaces") }
            emit(
                "latency: workers on hosts of their own (network namespaces), the API answering in \(latencyMs)±\(latencyJitterMs) ms, "
                    + "Postgres \(postgresDelayMs) ms away each way")
            let hosts = SeparateHosts(workers: 2, postgresDelayMs: postgresDelayMs)
            // Torn down however the scenario ends, a set-up that failed halfway included (set-up also
            // removes what an interrupted run left behind).
            defer { hosts.tearDown() }
            try hosts.setUp(database: bench.base)
            // The last run: the README's fleet over an API answering in 300 ms, with 240 requests/s of budgets
            // to spend, to show it serves at least 200.
            for (count, rate, latency, jitter) in [(1, 5.0, latencyMs, latencyJitterMs), (40, 5.0, latencyMs, latencyJitterMs), (40, 6.0, 300, 0)] {
                var shape = base
                shape.label = "latency \(Int(latency))ms \(count)x\(Int(rate))"
                shape.connections = count
                shape.rate = rate
                shape.latencyMs = latency
                shape.latencyJitterMs = jitter
                shape.hosts = hosts
                _ = try await fleet.run(shape)
            }
        }
        if chosen.contains("throughput") {
            let account = SandboxAccount(
                customers: smallCustomers, usageMetrics: metrics, days: throughputDays, rateLimit: 0, revenue: false,
                includeArchived: true)
            // Runs on one machine vary by several percent; the median of a few is reported, every run printed.
            // Two clocks: the import (first claim to last completion, as dlt's timer runs from its
            // pipeline's start to its load's end), and the whole, worker start and exit included.
            var rates: [Double] = []
            var wholeRates: [Double] = []
            var rows = 0
            for index in 1...max(1, throughputRuns) {
                try await runner.withAccount(account, today: today) { session in
                    let run = try await session.importAll(workers: throughputWorkers)
                    rates.append(Double(run.rows) / run.importSeconds)
                    wholeRates.append(Double(run.rows) / run.seconds)
                    rows = run.rows
                    print(
                        String(
                            format: "throughput run %d (limits off, usage only, %d worker(s) × %d, %d requests): %d rows, "
                                + "%.2f s from the first claim to the last completion = %.0f rows/s; "
                                + "%.2f s from starting the workers to their exit = %.0f rows/s",
                            index, throughputWorkers, slots, run.requests, run.rows, run.importSeconds, Double(run.rows) / run.importSeconds, run.seconds,
                            Double(run.rows) / run.seconds))
                }
            }
            let median = rates.sorted()[rates.count / 2]
            let wholeMedian = wholeRates.sorted()[wholeRates.count / 2]
            if rates.count > 1 {
                print(
                    String(
                        format: "throughput, median of %d runs: %.0f rows/s importing; %.0f rows/s with the workers' start and exit",
                        rates.count, median, wholeMedian))
            }
            func list(_ values: [Double]) -> String { values.map { String(format: "%.0f", $0) }.joined(separator: ",") }
            print(
                "RESULT meterbridge_rows_per_second=\(String(format: "%.0f", median)) rows=\(rows) runs=\(list(rates)) "
                    + "workers=\(throughputWorkers) slots=\(slots) "
                    + "whole_rows_per_second=\(String(format: "%.0f", wholeMedian)) whole_runs=\(list(wholeRates))")
        }
    }
}

/// The shape of a sandbox account the benchmark imports.
struct SandboxAccount {
    var customers: Int
    var usageMetrics: Int
    var days: Int
    var rateLimit: Double
    var revenue: Bool
    /// Import every billable metric, the archived one too (as a generic loader would).
    var includeArchived = false
}

/// What one import measured.
struct ImportRunResult {
    var seconds: Double
    var requests: Int
    var requestsByEndpoint: [String: Int]
    var rateLimited: Int
    var pagesTwice: Int
    var minimumUsage: Int
    var minimumRevenue: Int
    var rows: Int
    var workerPeakMB: Double
    /// From the first job's claim to the last job's completion.
    var importSeconds: Double

    static let usage = "POST /v1/usage"
    static let breakdowns = "GET /v1/customers/{customer_id}/invoices/breakdowns"

    func printEfficiency(workers: Int, rateLimit: Double) {
        let usage = requestsByEndpoint[Self.usage] ?? 0
        let revenue = requestsByEndpoint[Self.breakdowns] ?? 0
        let minimum = minimumUsage + minimumRevenue
        let rate = Double(requests) / seconds
        print(
            String(
                format:
                    "  %d worker(s): %d requests in %.1f s = %.1f req/s = %.3f of R; 429s %d (%.2f %%); pages twice %d; "
                    + "requests ÷ minimum %.4f (usage %d ÷ %d = %.4f, revenue %d ÷ %d = %.4f); %d rows",
                workers, requests, seconds, rate, rate / rateLimit, rateLimited, 100 * Double(rateLimited) / Double(max(requests, 1)),
                pagesTwice, Double(usage + revenue) / Double(max(minimum, 1)), usage, minimumUsage,
                Double(usage) / Double(max(minimumUsage, 1)), revenue, minimumRevenue, Double(revenue) / Double(max(minimumRevenue, 1)),
                rows))
        print(
            "RESULT workers=\(workers) budget_use=\(String(format: "%.4f", rate / rateLimit)) "
                + "rate_limited_share=\(String(format: "%.5f", Double(rateLimited) / Double(max(requests, 1)))) "
                + "efficiency=\(String(format: "%.4f", Double(usage + revenue) / Double(max(minimum, 1)))) "
                + "usage_requests=\(usage) usage_minimum=\(minimumUsage) revenue_requests=\(revenue) revenue_minimum=\(minimumRevenue) "
                + "pages_twice=\(pagesTwice)")
    }
}

/// Starts sandboxes and workers and runs imports on fresh schemas.
struct ImportRunner {
    let bench: Bench
    let httpClient: HTTPClient
    let today: UTCDay
    let batchSize: Int
    let slots: Int
    static let token = "bench-token"
    static let secretKey = Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 11) }).base64EncodedString()

    static func binary(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
    }

    func withAccount(_ account: SandboxAccount, today: UTCDay, _ body: (ImportSession) async throws -> Void) async throws {
        let sandbox = try SandboxProcess(account: account, endDate: today, token: Self.token)
        defer { sandbox.stop() }
        let configuration = try await bench.freshSchema()
        let pool = PostgresConnectionPool(configuration: configuration, size: 2, logger: bench.logger)
        do {
            let session = try await ImportSession.prepare(
                runner: self, account: account, sandbox: sandbox, pool: pool, schema: configuration.searchPath ?? "public")
            try await body(session)
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}

/// One account in one schema: its connection and metrics, ready to import.
struct ImportSession {
    let runner: ImportRunner
    let account: SandboxAccount
    let sandbox: SandboxProcess
    let pool: PostgresConnectionPool
    let schema: String
    let connection: ConnectionRecord

    static func prepare(
        runner: ImportRunner, account: SandboxAccount, sandbox: SandboxProcess, pool: PostgresConnectionPool, schema: String
    ) async throws -> ImportSession {
        let logger = runner.bench.logger
        let store = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: ImportRunner.secretKey))
        let budget = account.rateLimit > 0 ? Decimal(account.rateLimit) : 100_000
        var connection = try await store.add(
            name: "bench", baseURL: sandbox.baseURL, token: ImportRunner.token, rateLimit: budget, customerBatchSize: runner.batchSize)
        try await MetronomeClient.withClient(configuration: try store.clientConfiguration(for: connection), logger: logger) { client in
            _ = try await CatalogSync(pool: pool).sync(connection: connection, client: client)
        }
        connection = try await store.named("bench")
        let since = runner.today.adding(days: 1 - account.days)
        let metricIDs = try await CatalogSync(pool: pool).billableMetrics(of: connection)
            .filter { account.includeArchived || !$0.archived }.map(\.id).sorted().prefix(account.usageMetrics)
        guard metricIDs.count == account.usageMetrics else {
            throw BenchError("the sandbox has \(metricIDs.count) active billable metrics, not \(account.usageMetrics)")
        }
        let metrics = MetricStore(pool: pool)
        for id in metricIDs {
            _ = try await metrics.create(
                title: "usage \(id)", connection: connection, source: .usage(billableMetric: id), labelSource: .customerName, since: since)
        }
        if account.revenue {
            _ = try await metrics.create(
                title: "revenue", connection: connection, source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal),
                labelSource: .customerName, since: since)
        }
        return ImportSession(runner: runner, account: account, sandbox: sandbox, pool: pool, schema: schema, connection: connection)
    }

    func planner(day: UTCDay) -> ImportPlanner {
        var options = ImportPlanner.Options()
        options.maxBacklog = 1_000_000
        return ImportPlanner(
            queue: JobQueue(pool: pool, logger: runner.bench.logger), options: options, clock: ImportClock(pinnedDay: day),
            logger: runner.bench.logger)
    }

    /// Plans on `day`, runs `workers` worker processes until the queues are empty, and measures.
    func importAll(workers: Int, day: UTCDay? = nil) async throws -> ImportRunResult {
        let day = day ?? runner.today
        try await planner(day: day).plan()
        let before = try await sandbox.stats(runner.httpClient)
        let startedAt = Date()
        let started = ContinuousClock.now
        let processes = try (0..<workers).map { _ in try WorkerProcess(schema: schema, slots: runner.slots, today: day) }
        var peak = 0.0
        for process in processes {
            let status = await process.waitForExit()
            peak = max(peak, process.peakMB)
            guard status == 0 else { throw BenchError("a worker exited with status \(status)") }
        }
        let seconds = (ContinuousClock.now - started).seconds
        let after = try await sandbox.stats(runner.httpClient)
        let queue = JobQueue(pool: pool, logger: runner.bench.logger)
        let stuck = try await queue.admin.stateCounts(JobQueue.Filter()).filter { $0.key != .completed }.values.reduce(0, +)
        guard stuck == 0 else { throw BenchError("\(stuck) job(s) did not complete") }
        // The import itself, as the jobs recorded it: from the first claim to the last completion (the
        // workers' start before and their idle check and exit after are left out, as a peer's timer
        // leaves out its interpreter's start).
        let finished = try await queue.admin.list(JobQueue.Filter(finishedSince: startedAt), limit: 1_000_000)
        let firstClaim = finished.compactMap(\.attemptedAt).min()
        let lastCompletion = finished.compactMap(\.finalizedAt).max()
        let importSeconds = firstClaim.flatMap { first in lastCompletion.map { $0.timeIntervalSince(first) } } ?? seconds
        let rows = try await pool.query("SELECT count(*) FROM metric_values").single().decode(Int.self, at: 0)
        var byEndpoint: [String: Int] = [:]
        for (endpoint, count) in after.requests { byEndpoint[endpoint] = count - (before.requests[endpoint] ?? 0) }
        // The minimum from the paging rules, per endpoint.
        let customers = try await pool.query("SELECT count(*) FROM customers WHERE connection_id = $1", [connection.id]).single()
            .decode(Int.self, at: 0)
        return ImportRunResult(
            seconds: seconds, requests: after.total - before.total, requestsByEndpoint: byEndpoint,
            rateLimited: after.rateLimited - before.rateLimited, pagesTwice: after.pagesTwice - before.pagesTwice,
            minimumUsage: account.usageMetrics * PageCost.usage(days: account.days, customers: customers),
            minimumRevenue: account.revenue ? PageCost.revenue(days: account.days, customers: customers) : 0, rows: rows,
            workerPeakMB: peak, importSeconds: importSeconds)
    }

    /// Advances the pinned day `days` times; each day's requests against the sync's page cost.
    func steadyState(days: Int, workers: Int) async throws {
        print("steady state: the pinned day advances \(days) times, the planner plans each day, \(workers) worker(s) import")
        for offset in 1...days {
            let day = runner.today.adding(days: offset)
            let projection = try require(try await planner(day: day).plan(dryRun: true).projections.first)
            let run = try await importAll(workers: workers, day: day)
            let sync = projection.syncRequests
            print(
                String(
                    format: "  day +%d: %d requests, the sync's page cost %d: ratio %.4f; sync %.0f requests/day = %.4f %% of %.0f req/s",
                    offset, run.requests, sync, Double(run.requests) / Double(sync), projection.syncRequestsPerDay,
                    projection.syncBudgetShare * 100, projection.requestsPerSecond))
            print("RESULT steady_day=\(offset) steady_ratio=\(String(format: "%.4f", Double(run.requests) / Double(sync)))")
        }
        // What the old every-5-minutes sync would cost at Metronome's 8 requests/s, and what the plan keeps.
        let options = ImportPlanner.Options()
        let budget = SyncBudget(
            syncRequests: try require(try await planner(day: runner.today).plan(dryRun: true).projections.first).syncRequests,
            hotRequests: 0, catalogRequests: 0, requestsPerSecond: 8, share: options.syncBudgetShare, syncIntervalSeconds: 86_400,
            hotIntervalSeconds: nil, catalogIntervalSeconds: 86_400)
        var every5 = budget
        every5.syncIntervalSeconds = 300
        let daily = budget.schedule
        let fiveMinutes = every5.schedule
        print(
            String(
                format: "  at Metronome's 8 req/s this account's daily sync takes %.3f %% of the budget, so backfill keeps %.2f %%",
                daily.budgetShare * 100, (1 - daily.budgetShare) * 100))
        print(
            String(
                format: "  a sync every 5 min would need %.1f %% of that budget; the planner %@, and backfill keeps %.1f %%",
                budget.requestsPerDayUnstretched(every: 300) / (8 * 86_400) * 100,
                fiveMinutes.stretched
                    ? "stretches it to every \(Duration.seconds(fiveMinutes.syncIntervalSeconds).formatted()) to stay within 30 %"
                    : "keeps it (within 30 %)",
                (1 - fiveMinutes.budgetShare) * 100))
        print(
            "RESULT steady_sync_share_at_8rps=\(String(format: "%.5f", daily.budgetShare)) "
                + "backfill_share_at_8rps_every_5min=\(String(format: "%.4f", 1 - fiveMinutes.budgetShare))")
    }
}

extension SyncBudget {
    /// Requests per day of the sync alone at `every` seconds, before any stretching.
    func requestsPerDayUnstretched(every: Double) -> Double { Double(syncRequests) * 86_400 / every }
}

extension Duration {
    func formatted() -> String {
        let total = Int(seconds.rounded())
        return total >= 3_600 ? String(format: "%.1f h", Double(total) / 3_600) : "\(total / 60) min \(total % 60) s"
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw BenchError(message) }
        return self
    }
}

func `require`<T>(_ value: T?, _ message: String = "missing value") throws -> T { try value.orThrow(message) }

/// A `metronome-sandbox` process on 127.0.0.1 with a free port.
final class SandboxProcess: @unchecked Sendable {
    let process = Process()
    let baseURL: String
    let port: Int

    init(account: SandboxAccount, endDate: UTCDay, token: String, extraArguments: [String] = []) throws {
        process.executableURL = ImportRunner.binary("metronome-sandbox")
        // With 4 or more billable metrics the sandbox archives the last one.
        let billable = account.includeArchived || account.usageMetrics < 3 ? account.usageMetrics : account.usageMetrics + 1
        process.arguments = [
            "--port", "0", "--token", token, "--customers", String(account.customers), "--billable-metrics", String(billable),
            "--days", String(account.days), "--end-date", endDate.description, "--rate-limit", String(account.rateLimit),
            "--log-level", "error", "--adversarial",
        ] + extraArguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        guard let port = Int(output.firstLine().trimmingCharacters(in: .whitespaces)) else {
            process.terminate()
            throw BenchError("metronome-sandbox did not print its port")
        }
        let host = extraArguments.firstIndex(of: "--host").flatMap { extraArguments.indices.contains($0 + 1) ? extraArguments[$0 + 1] : nil }
        baseURL = "http://\(host.flatMap { $0 == "0.0.0.0" ? nil : $0 } ?? "127.0.0.1"):\(port)"
        self.port = port
    }

    struct Stats {
        var total: Int
        var requests: [String: Int]
        var rateLimited: Int
        var pagesTwice: Int
        var faultsByKind: [String: Int] = [:]
        var faultsInjected: Int { faultsByKind.values.reduce(0, +) }
    }

    func stats(_ client: HTTPClient) async throws -> Stats {
        let response = try await client.execute(HTTPClientRequest(url: baseURL + "/__sandbox/stats"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
        var requests: [String: Int] = [:]
        for (endpoint, statuses) in json["requests"] as? [String: [String: Int]] ?? [:] {
            requests[endpoint] = statuses.values.reduce(0, +)
        }
        return Stats(
            total: json["requests_total"] as? Int ?? 0, requests: requests, rateLimited: json["rate_limited"] as? Int ?? 0,
            pagesTwice: json["pages_served_more_than_once"] as? Int ?? 0,
            faultsByKind: json["faults_injected"] as? [String: Int] ?? [:])
    }

    /// The truth for one `GET /__sandbox/truth` query, keyed `customer_id/day`.
    func truth(_ client: HTTPClient, query: String) async throws -> [String: Decimal] {
        let response = try await client.execute(
            HTTPClientRequest(url: baseURL + "/__sandbox/truth?format=csv&" + query), timeout: .seconds(120))
        guard response.status == .ok else { throw BenchError("truth \(query): HTTP \(response.status.code)") }
        let body = String(buffer: try await response.body.collect(upTo: 1 << 30))
        var values: [String: Decimal] = [:]
        for line in body.split(separator: "\n").dropFirst() {
            // kind,billable_metric_id,credit_type_id,basis,customer_id,day,value
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 7, let value = Decimal(string: String(fields[6]), locale: Locale(identifier: "en_US_POSIX")) else {
                throw BenchError("unexpected truth line: \(line)")
            }
            values["\(fields[4])/\(fields[5])"] = value
        }
        return values
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

extension Pipe {
    /// The first line a child process writes (the port it bound), read byte by byte so nothing after it is consumed.
    func firstLine() -> String {
        var line = Data()
        while true {
            let byte = fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}

/// A `meterbridge-worker` process that exits when the queues are empty; its peak RSS is sampled.
final class WorkerProcess: @unchecked Sendable {
    let process = Process()
    private(set) var peakMB = 0.0

    /// - Parameters:
    ///   - slots: `--concurrency`; nil runs the worker with its default.
    ///   - launcher: a command that runs the worker, e.g. `ip netns exec NAME` for a worker on a host of its own.
    ///   - environment: variables added to this process's (e.g. a `DATABASE_URL` that host reaches).
    init(
        schema: String, slots: Int?, today: UTCDay, arguments: [String] = [], launcher: [String] = [],
        environment extra: [String: String] = [:]
    ) throws {
        let worker = ImportRunner.binary("meterbridge-worker")
        let workerArguments =
            (slots.map { ["--concurrency", String($0)] } ?? []) + ["--poll-interval", "0.1", "--exit-when-idle", "--idle-horizon", "60"]
            + arguments
        if launcher.isEmpty {
            process.executableURL = worker
            process.arguments = workerArguments
        } else {
            process.executableURL = URL(fileURLWithPath: launcher[0])
            process.arguments = Array(launcher.dropFirst()) + [worker.path] + workerArguments
        }
        var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        environment["PGOPTIONS"] = "-c search_path=\(schema)"
        environment["METERBRIDGE_SECRET_KEY"] = ImportRunner.secretKey
        environment["METERBRIDGE_TODAY"] = today.description
        environment["LOG_LEVEL"] = "error"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        try process.run()
    }

    /// Waits for the exit, reading the kernel's high-water mark of resident memory meanwhile.
    func waitForExit() async -> Int32 {
        while process.isRunning {
            if let megabytes = ProcStatus.megabytes("VmHWM", pid: process.processIdentifier) { peakMB = max(peakMB, megabytes) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }
}

/// Fields of `/proc/PID/status` (Linux), for the memory the benchmarks and the soak report.
enum ProcStatus {
    /// A `kB` field such as `VmRSS` or `VmHWM`, in megabytes; nil when the process is gone.
    static func megabytes(_ field: String, pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double(String($0)) })
        else { return nil }
        return kilobytes / 1_024
    }
}
