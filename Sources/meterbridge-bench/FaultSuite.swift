import ArgumentParser
import AsyncHTTPClient
import Foundation
import Importer
import JobQueue
import Logging
import Metronome
import Postgres

/// The fault suite: one sandbox account imported by three worker processes under each kind of
/// trouble a deployment meets (API faults, Postgres restarts and killed backends, killed and stopped
/// processes), then every value checked against the sandbox's truth. One table row per scenario;
/// the command fails when any row has a value wrong or missing, a stuck job, or more pages fetched
/// twice than processes killed.
struct FaultSuite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "Import a sandbox account under API, database and process faults and check every value (scripts/test-faults).",
        discussion: """
            Needs DATABASE_URL, PGDATA_DIR (the cluster's data directory, for the restarts; \
            scripts/with-postgres sets both) and the metronome-sandbox, meterbridge-worker and \
            meterbridge-planner binaries beside this one. Everything runs on 127.0.0.1.
            """)

    @Option(help: "Scenarios to run (comma-separated), or all. \(FaultScenario.all.map(\.name).joined(separator: ", ")).")
    var scenarios = "all"
    @Flag(help: "Run the soak instead: 3 workers × 8 slots against a faulty sandbox at 200 requests/s; report RSS, open files and connections.")
    var soak = false
    @Option(help: "Minutes the soak runs.") var soakMinutes = 10.0
    @Option(help: "Customers of the account.") var customers = 100
    @Option(help: "Days of history.") var days = 400
    @Option(help: "Seconds a scenario may take before its unfinished jobs count as stuck.") var scenarioTimeLimit = 300.0
    @Option(help: "Last day of the sandbox's history, the pinned today.") var endDate = "2026-11-29"

    func validate() throws {
        guard customers >= 1, days >= 1 else { throw ValidationError("--customers and --days must be at least 1") }
        guard soakMinutes > 0 else { throw ValidationError("--soak-minutes must be positive") }
        if scenarios != "all" {
            let known = Set(FaultScenario.all.map(\.name))
            for name in scenarios.split(separator: ",").map(String.init) where !known.contains(name) {
                throw ValidationError("unknown scenario \(name); known: \(known.sorted().joined(separator: ", "))")
            }
        }
    }

    func run() async throws {
        let today = try UTCDay(endDate).orThrow("--end-date must be YYYY-MM-DD")
        let environment = ProcessInfo.processInfo.environment
        guard let dataDirectory = environment["PGDATA_DIR"], !dataDirectory.isEmpty else {
            throw BenchError("PGDATA_DIR is not set: run through scripts/test-faults (scripts/with-postgres sets it)")
        }
        let bench = try await Bench.start()
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await runSuite(today: today, dataDirectory: dataDirectory, bench: bench, httpClient: httpClient)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    private func runSuite(today: UTCDay, dataDirectory: String, bench: Bench, httpClient: HTTPClient) async throws {
        let lab = FaultLab(
            bench: bench, httpClient: httpClient, today: today, customers: customers, days: days,
            postgres: PostgresControl(dataDirectory: dataDirectory), timeLimit: scenarioTimeLimit)
        if soak {
            try await lab.soak(minutes: soakMinutes)
            return
        }
        let chosen =
            scenarios == "all"
            ? FaultScenario.all : FaultScenario.all.filter { Set(scenarios.split(separator: ",").map(String.init)).contains($0.name) }
        emit("fault suite: \(customers) customers × 4 usage metrics + 2 revenue metrics (USD, both bases), \(days) days, 3 workers × 4 slots")
        emit("")
        emit("| scenario | faults injected (429s included) | rows checked | rows wrong | rows missing | pages twice (allowed: jobs killed) | jobs stuck | wall time |")
        emit("|---|---|---|---|---|---|---|---|")
        var failed: [String] = []
        let started = ContinuousClock.now
        for scenario in chosen {
            let result: FaultResult
            do {
                result = try await lab.run(scenario)
            } catch {
                emit("| \(scenario.name) | error: \(error) | | | | | | |")
                failed.append(scenario.name)
                continue
            }
            emit(result.row)
            if !result.passed { failed.append(scenario.name + (result.problem.map { " (\($0))" } ?? "")) }
        }
        emit("")
        emit(String(format: "%d scenarios in %.0f s; %@", chosen.count, (ContinuousClock.now - started).seconds,
                     failed.isEmpty ? "all passed" : "FAILED: \(failed.joined(separator: "; "))"))
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

/// What one scenario found.
struct FaultResult {
    var name: String
    var faults: Int
    var checked: Int
    var wrong: Int
    var missing: Int
    var pagesTwice: Int
    var pagesTwiceAllowed: Int
    var stuck: Int
    var seconds: Double
    /// A scenario-specific check that failed (writes not refused, throughput not recovered, …).
    var problem: String?
    var note: String?

    var passed: Bool { wrong == 0 && missing == 0 && stuck == 0 && pagesTwice <= pagesTwiceAllowed && problem == nil && checked > 0 }

    var row: String {
        let name = self.name + (note.map { " — \($0)" } ?? "") + (problem.map { " — **\($0)**" } ?? "")
        return "| \(name) | \(faults) | \(checked) | \(wrong) | \(missing) | \(pagesTwice) (≤ \(pagesTwiceAllowed)) | \(stuck) | "
            + String(format: "%.1f s |", seconds)
    }
}

/// One kind of trouble: how the sandbox misbehaves, how the workers are started, and what the
/// suite does to the database and the processes while the import runs.
struct FaultScenario: Sendable {
    var name: String
    var sandboxArguments: [String] = []
    /// The sandbox's rate limit (0: none) and the connection's budget, requests/s.
    var sandboxRateLimit: Double = 0
    var budget: Double = 300
    var workerArguments: [String] = []
    /// Planner processes racing; 0 plans once in process.
    var planners = 0
    /// The workers' `--lease-seconds`: the default minute, shorter where processes are killed so that
    /// their jobs are rescued within the scenario.
    var lease = 60.0
    /// Slow answers outlast the client's timeout: the client never receives such a page, so fetching
    /// it again is allowed, once per slow answer (like a kill of that one request).
    var slowAnswersTimeOut = false
    /// Runs beside the import until `run.isDone`; returns the faults it injected.
    var disrupt: (@Sendable (FaultRun) async throws -> Int)?

    static let all: [FaultScenario] = [
        FaultScenario(
            name: "api-429-storm", sandboxArguments: ["--fault-429-rate", "0.01"], sandboxRateLimit: 100, budget: 150),
        FaultScenario(name: "api-5xx", sandboxArguments: ["--fault-5xx-rate", "0.15"]),
        FaultScenario(
            name: "api-slow-past-timeout", sandboxArguments: ["--fault-slow-rate", "0.03", "--fault-slow-ms", "2500"],
            workerArguments: ["--request-timeout", "1"], slowAnswersTimeOut: true),
        FaultScenario(name: "api-dropped-and-truncated", sandboxArguments: ["--fault-drop-rate", "0.05", "--fault-malformed-rate", "0.08"]),
        FaultScenario(
            name: "api-empty-pages-repeated-cursors",
            sandboxArguments: ["--fault-empty-page-rate", "0.1", "--fault-repeat-cursor-rate", "0.05"]),
        FaultScenario(name: "api-schema-drift", sandboxArguments: ["--fault-schema-drift", "--mixed-timestamp-rate", "0.3"]),
        FaultScenario(name: "pg-restart-fast-and-immediate", budget: 60, lease: 15, disrupt: { run in try await run.restartPostgres() }),
        FaultScenario(name: "pg-terminate-backends", budget: 80, lease: 15, disrupt: { run in try await run.terminateBackends() }),
        FaultScenario(
            name: "pg-statement-timeout", budget: 80, workerArguments: ["--statement-timeout", "1"], lease: 15,
            disrupt: { run in try await run.holdLocks() }),
        FaultScenario(name: "pg-xmin-horizon-60s", budget: 25, disrupt: { run in try await run.holdXminHorizon(seconds: 60) }),
        FaultScenario(name: "kill-9-workers", budget: 60, lease: 10, disrupt: { run in try await run.killWorkers(times: 24) }),
        FaultScenario(name: "kill-9-racing-planners", budget: 80, planners: 2, disrupt: { run in try await run.killPlanners(times: 8) }),
        FaultScenario(name: "sigstop-past-lease", budget: 40, lease: 10, disrupt: { run in try await run.stopWorkerPastLease() }),
    ]
}

/// Runs scenarios: a sandbox process, a fresh schema, worker and planner processes, the check.
struct FaultLab: Sendable {
    let bench: Bench
    let httpClient: HTTPClient
    let today: UTCDay
    let customers: Int
    let days: Int
    let postgres: PostgresControl
    let timeLimit: Double

    func run(_ scenario: FaultScenario) async throws -> FaultResult {
        let started = ContinuousClock.now
        let account = SandboxAccount(customers: customers, usageMetrics: 4, days: days, rateLimit: scenario.sandboxRateLimit, revenue: true)
        let sandbox = try SandboxProcess(
            account: account, endDate: today, token: ImportRunner.token,
            extraArguments: scenario.sandboxArguments)
        defer { sandbox.stop() }
        let configuration = try await bench.freshSchema()
        let metrics = try await prepare(sandbox: sandbox, configuration: configuration, budget: scenario.budget)
        let run = FaultRun(lab: self, scenario: scenario, configuration: configuration)
        defer { run.stopAll() }
        if scenario.planners == 0 {
            try await withDatabase(configuration) { pool in
                _ = try await self.planner(pool: pool).plan()
            }
        } else {
            for _ in 0..<scenario.planners { try run.spawnPlanner() }
        }
        for _ in 0..<3 { try run.spawnWorker() }

        let disruption = Task { try await scenario.disrupt?(run) ?? 0 }
        let finished = try await run.waitUntilDone(timeLimit: timeLimit)
        run.markDone()
        let injectedByDriver = try await disruption.value
        let stuck = try await withDatabase(configuration) { pool in
            try await self.queue(pool).admin.stateCounts(JobQueue.Filter()).filter { $0.key != .completed }.values.reduce(0, +)
        }
        await run.stopWorkers()
        run.stopPlanners()

        let importSeconds = (ContinuousClock.now - started).seconds
        let check = try await compare(metrics: metrics, sandbox: sandbox, configuration: configuration)
        let stats = try await sandbox.stats(httpClient)
        var problem = run.problem
        if !finished && problem == nil { problem = "not done in \(Int(timeLimit)) s" }
        let result = FaultResult(
            name: scenario.name, faults: stats.faultsInjected + stats.rateLimited + injectedByDriver, checked: check.checked, wrong: check.wrong,
            missing: check.missing, pagesTwice: stats.pagesTwice,
            pagesTwiceAllowed: run.kills + (scenario.slowAnswersTimeOut ? stats.faultsByKind["slow", default: 0] : 0), stuck: stuck,
            seconds: (ContinuousClock.now - started).seconds, problem: problem,
            note: [run.note, String(format: "import %.0f s", importSeconds)].compactMap { $0 }.joined(separator: "; "))
        // The processes' logs are kept for a scenario that failed, to read why; a pass leaves nothing behind.
        if result.passed { try? FileManager.default.removeItem(at: run.logDirectory) }
        return result
    }

    /// The connection, its catalog and six metrics: four usage, USD revenue on both bases.
    func prepare(sandbox: SandboxProcess, configuration: PostgresConfiguration, budget: Double) async throws -> [MetricTruth] {
        try await withDatabase(configuration) { pool in
            let store = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: ImportRunner.secretKey))
            var connection = try await store.add(
                name: "faults", baseURL: sandbox.baseURL, token: ImportRunner.token, rateLimit: Decimal(budget), customerBatchSize: 10)
            // The catalog comes through the same faulty API: retry until one sync gets through.
            var attempt = 0
            while true {
                do {
                    try await MetronomeClient.withClient(configuration: try store.clientConfiguration(for: connection), logger: bench.logger) {
                        client in _ = try await CatalogSync(pool: pool).sync(connection: connection, client: client)
                    }
                    break
                } catch {
                    attempt += 1
                    if attempt >= 20 { throw BenchError("the catalog did not sync in 20 attempts: \(error)") }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            connection = try await store.named("faults")
            let since = today.adding(days: 1 - days)
            let metricIDs = try await CatalogSync(pool: pool).billableMetrics(of: connection).filter { !$0.archived }.map(\.id)
                .sorted().prefix(4)
            guard metricIDs.count == 4 else { throw BenchError("the sandbox has \(metricIDs.count) active billable metrics, not 4") }
            let metricStore = MetricStore(pool: pool)
            let labels: [LabelSource] = [.customerName, .ingestAlias, .customerID]
            for (index, id) in metricIDs.enumerated() {
                _ = try await metricStore.create(
                    title: "usage \(id)", connection: connection, source: .usage(billableMetric: id), labelSource: labels[index % 3],
                    since: since)
            }
            for basis in [RevenueBasis.invoiceTotal, .grossUsage] {
                _ = try await metricStore.create(
                    title: "revenue USD \(basis.rawValue)", connection: connection,
                    source: .revenue(currency: "USD", creditTypeID: nil, basis: basis), labelSource: .customerName, since: since)
            }
            return try await pool.query(
                "SELECT id, kind, coalesce(billable_metric_id, ''), coalesce(credit_type_id, ''), coalesce(revenue_basis, '') "
                    + "FROM business_metrics ORDER BY id"
            ).map { row in
                MetricTruth(
                    metricID: try row.decode(Int64.self, at: 0), kind: try row.decode(String.self, at: 1),
                    billableMetricID: try row.decode(String.self, at: 2), creditTypeID: try row.decode(String.self, at: 3),
                    basis: try row.decode(String.self, at: 4))
            }
        }
    }

    func queue(_ pool: PostgresConnectionPool) -> JobQueue { JobQueue(pool: pool, logger: bench.logger) }

    func planner(pool: PostgresConnectionPool) -> ImportPlanner {
        var options = ImportPlanner.Options()
        options.maxBacklog = 1_000_000
        return ImportPlanner(
            queue: JobQueue(pool: pool, logger: bench.logger), options: options, clock: ImportClock(pinnedDay: today), logger: bench.logger)
    }

    /// Every imported value against the sandbox's truth, compared in Postgres: the server reads the
    /// truth straight from the sandbox (`COPY … FROM PROGRAM`), so 170,000 rows take a second, not a
    /// minute of parsing here. Missing: a truth row with no value; wrong: a value that differs, or
    /// one the truth does not have.
    func compare(metrics: [MetricTruth], sandbox: SandboxProcess, configuration: PostgresConfiguration) async throws
        -> (checked: Int, wrong: Int, missing: Int)
    {
        try await withDatabase(configuration) { pool in
            try await pool.withConnection { db in
                try await db.simpleQuery(
                    """
                    DROP TABLE IF EXISTS fault_truth;
                    CREATE UNLOGGED TABLE fault_truth (
                        kind text, billable_metric_id text, credit_type_id text, basis text, customer_id text, day date, value numeric)
                    """)
                var checked = 0
                var wrong = 0
                var missing = 0
                for metric in metrics {
                    let url = sandbox.baseURL + "/__sandbox/truth?format=csv&" + metric.truthQuery
                    guard url.allSatisfy({ $0.isLetter || $0.isNumber || ":/?&=._-".contains($0) }) else {
                        throw BenchError("unexpected characters in \(url)")
                    }
                    let fetch = #"python3 -c "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())" "\#(url)""#
                    try await db.simpleQuery(
                        "TRUNCATE fault_truth; COPY fault_truth FROM PROGRAM '\(fetch)' WITH (FORMAT csv, HEADER true)")
                    let row = try await db.query(
                        """
                        SELECT count(t.value), count(*) FILTER (WHERE v.amount IS NULL),
                               count(*) FILTER (WHERE t.value IS NULL OR v.amount <> t.value)
                        FROM (SELECT customer_id, day, amount FROM metric_values WHERE metric_id = $1) AS v
                        FULL JOIN (SELECT customer_id, day, value FROM fault_truth) AS t USING (customer_id, day)
                        """, [metric.metricID]
                    ).single()
                    let truthRows = try row.decode(Int.self, at: 0)
                    guard truthRows > 0 else { throw BenchError("the sandbox has no truth for metric \(metric.metricID)") }
                    checked += truthRows
                    missing += try row.decode(Int.self, at: 1)
                    wrong += try row.decode(Int.self, at: 2)
                }
                try await db.simpleQuery("DROP TABLE fault_truth")
                return (checked, wrong, missing)
            }
        }
    }

    /// 3 workers × 8 slots for `minutes` against a faulty sandbox at 200 requests/s: RSS, open files
    /// and database connections sampled every 10 s, the first and last minute reported.
    func soak(minutes: Double) async throws {
        let scenario = FaultScenario(
            name: "soak",
            sandboxArguments: [
                "--fault-5xx-rate", "0.03", "--fault-slow-rate", "0.01", "--fault-slow-ms", "300", "--fault-drop-rate", "0.01",
                "--fault-malformed-rate", "0.01", "--fault-empty-page-rate", "0.02", "--fault-429-rate", "0.002",
                "--fault-repeat-cursor-rate", "0.01", "--usage-windows-per-page", "7",
            ], sandboxRateLimit: 200, budget: 200, workerArguments: ["--concurrency", "8"])
        let customers = max(self.customers, 1_000)
        let account = SandboxAccount(customers: customers, usageMetrics: 4, days: days, rateLimit: 200, revenue: true)
        let sandbox = try SandboxProcess(account: account, endDate: today, token: ImportRunner.token, extraArguments: scenario.sandboxArguments)
        defer { sandbox.stop() }
        let configuration = try await bench.freshSchema()
        _ = try await prepare(sandbox: sandbox, configuration: configuration, budget: scenario.budget)
        try await withDatabase(configuration) { pool in _ = try await self.planner(pool: pool).plan() }
        let run = FaultRun(lab: self, scenario: scenario, configuration: configuration)
        defer { run.stopAll() }
        for _ in 0..<3 { try run.spawnWorker() }
        emit("soak: \(customers) customers × 4 usage metrics + USD revenue, \(days) days, 7 usage windows a page; 3 workers × 8 slots; "
            + "sandbox at 200 requests/s with faults on; \(minutes) min")
        emit("| minute | worker RSS MB (each) | open fds (each) | database connections | requests so far | 429s |")
        emit("|---|---|---|---|---|---|")
        let end = ContinuousClock.now + .seconds(minutes * 60)
        var samples: [(minute: Double, rss: [Double], fds: [Int], connections: Int, requests: Int, limited: Int)] = []
        let started = ContinuousClock.now
        while ContinuousClock.now < end {
            try await Task.sleep(for: .seconds(10))
            let workers = run.workers
            let connections = try await withDatabase(configuration) { pool in
                try await pool.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'meterbridge-worker'").single()
                    .decode(Int.self, at: 0)
            }
            let stats = try await sandbox.stats(httpClient)
            let sample = (
                minute: (ContinuousClock.now - started).seconds / 60, rss: workers.map { $0.residentMB() }, fds: workers.map { $0.openFiles() },
                connections: connections, requests: stats.total, limited: stats.rateLimited
            )
            samples.append(sample)
            emit(
                String(format: "| %.1f | %@ | %@ | %d | %d | %d |", sample.minute, sample.rss.map { String(format: "%.1f", $0) }.joined(separator: ", "),
                       sample.fds.map(String.init).joined(separator: ", "), sample.connections, sample.requests, sample.limited))
        }
        func summary(_ part: ArraySlice<(minute: Double, rss: [Double], fds: [Int], connections: Int, requests: Int, limited: Int)>) -> String {
            let rss = part.flatMap(\.rss)
            let fds = part.flatMap(\.fds)
            let connections = part.map(\.connections)
            return String(
                format: "RSS %.1f–%.1f MB, open fds %d–%d, database connections %d–%d", rss.min() ?? 0, rss.max() ?? 0, fds.min() ?? 0,
                fds.max() ?? 0, connections.min() ?? 0, connections.max() ?? 0)
        }
        let perMinute = 6
        emit("first minute: \(summary(samples.prefix(perMinute)))")
        emit("last minute:  \(summary(samples.suffix(perMinute)))")
        if let last = samples.last {
            emit(String(format: "%d requests in %.1f min = %.1f requests/s", last.requests, last.minute, Double(last.requests) / (last.minute * 60)))
        }
        await run.stopWorkers()
    }
}

/// One business metric and the sandbox truth query it must equal.
struct MetricTruth: Sendable {
    var metricID: Int64
    var kind: String
    var billableMetricID: String
    var creditTypeID: String
    var basis: String

    var truthQuery: String {
        kind == "usage"
            ? "kind=usage&billable_metric_id=\(billableMetricID)" : "kind=revenue&credit_type_id=\(creditTypeID)&basis=\(basis)"
    }
}

/// Runs `body` with a two-connection pool, reconnecting for up to 60 s while Postgres restarts.
func withDatabase<T: Sendable>(_ configuration: PostgresConfiguration, _ body: (PostgresConnectionPool) async throws -> T) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(60)
    var logger = Logger(label: "meterbridge.faults")
    logger.logLevel = .critical
    while true {
        let pool = PostgresConnectionPool(configuration: configuration, size: 2, logger: logger)
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch let error as PostgresError where ContinuousClock.now < deadline {
            await pool.close()
            _ = error
            try await Task.sleep(for: .milliseconds(250))
        } catch {
            await pool.close()
            throw error
        }
    }
}

/// `pg_ctl` for the throwaway cluster, as its owner.
struct PostgresControl: Sendable {
    let dataDirectory: String

    func restart(mode: String) async throws {
        let bin = try Self.binDirectory()
        var arguments = ["\(bin)/pg_ctl", "-D", dataDirectory, "-m", mode, "-w", "-t", "60", "restart"]
        if getuid() == 0 { arguments = ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments }
        let log = URL(fileURLWithPath: dataDirectory).deletingLastPathComponent().appendingPathComponent("pg_ctl-restart.log")
        let process = try ChildProcess(
            URL(fileURLWithPath: arguments[0]), arguments: Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
            log: log)
        let status = await process.exitStatus()
        guard status == 0 else {
            throw BenchError("pg_ctl restart -m \(mode) exited with status \(status): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    static func binDirectory() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap({ Int($0) }).max() else { throw BenchError("no /usr/lib/postgresql/<version>") }
        return "/usr/lib/postgresql/\(newest)/bin"
    }
}

/// Writes one line at once, unbuffered: each table row appears as it is measured, in a file or a CI log too.
func emit(_ line: String = "") {
    fflush(nil)  // anything `print` buffered comes first
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
