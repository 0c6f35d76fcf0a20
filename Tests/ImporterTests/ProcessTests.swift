import Foundation
import Importer
import JobQueue
import Metronome
import MetronomeSandbox
import Postgres
import Testing
import TestSupport

/// Real worker processes against the in-process sandbox.
@Suite("Worker processes", .timeLimit(.minutes(15)))
struct ProcessTests {
    func usageMetrics(_ harness: ImporterHarness, connection: ConnectionRecord, count: Int) async throws -> [(BusinessMetric, TruthFilter)] {
        var result: [(BusinessMetric, TruthFilter)] = []
        for metric in harness.account.metrics.prefix(count) {
            let business = try await harness.metrics.create(
                title: metric.name, connection: connection, source: .usage(billableMetric: metric.id), labelSource: .customerID,
                since: UTCDay(harness.account.firstDay.description)!)
            result.append((business, TruthFilter(kind: .usage, billableMetricID: metric.id)))
        }
        return result
    }

    /// `kill -9` in the middle of an import: once the lease expires another worker finishes it exactly,
    /// and at most one page per killed job is fetched twice.
    @Test func killedWorkerIsRecoveredExactly() async throws {
        let account = AccountParameters(seed: 21, customerCount: 4, billableMetricCount: 2, dayCount: 30, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account, usageWindowsPerPage: 3) { harness in
            let connection = try await harness.addConnection(rateLimit: 15, batchSize: 2)
            let metrics = try await usageMetrics(harness, connection: connection, count: 2)
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()

            let victim = try WorkerProcess(
                database: harness.database, secretKey: ImporterHarness.key,
                arguments: ["--concurrency", "2", "--lease-seconds", "3", "--poll-interval", "0.1"])
            // Wait until the victim holds a job that has checkpointed at least one page.
            let deadline = ContinuousClock.now + .seconds(60)
            var held = 0
            while ContinuousClock.now < deadline {
                held = try await harness.pool.query(
                    "SELECT count(*) FROM jobs WHERE state = 'running' AND cursor IS NOT NULL"
                ).single().decode(Int.self, at: 0)
                if held > 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(held > 0, "the victim was mid-import")
            victim.kill()
            let killedJobs = try await harness.pool.query("SELECT count(*) FROM jobs WHERE state = 'running'").single()
                .decode(Int.self, at: 0)

            let rescuer = try WorkerProcess(
                database: harness.database, secretKey: ImporterHarness.key,
                arguments: ["--concurrency", "2", "--lease-seconds", "3", "--poll-interval", "0.1", "--exit-when-idle", "--idle-horizon", "60"])
            #expect(await rescuer.exitStatus() == 0)

            let jobs = try await harness.queue.admin.list(JobQueue.Filter())
            #expect(jobs.allSatisfy { $0.state == .completed }, "\(jobs.map(\.state))")
            #expect(jobs.contains { $0.errors.contains { $0.kind == "lease_expired" } }, "the killed job was rescued")
            for (metric, filter) in metrics {
                #expect(try await harness.imported(metric) == harness.expected(filter), "\(metric.title)")
            }
            let repeated = harness.sandbox.stats.pagesServedMoreThanOnce
            #expect(repeated <= killedJobs, "\(repeated) pages fetched twice for \(killedJobs) killed job(s)")
        }
    }

    /// SIGTERM during a long import: the worker drains and exits 0, no job is left `running`, released
    /// jobs kept their attempts, and finishing the import later loses no row.
    @Test func sigtermDrainsAndLosesNothing() async throws {
        let account = AccountParameters(seed: 31, customerCount: 4, billableMetricCount: 1, dayCount: 30, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account, usageWindowsPerPage: 2) { harness in
            let connection = try await harness.addConnection(rateLimit: 10, batchSize: 2)
            let metrics = try await usageMetrics(harness, connection: connection, count: 1)
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            let worker = try WorkerProcess(
                database: harness.database, secretKey: ImporterHarness.key,
                arguments: ["--concurrency", "2", "--shutdown-grace", "0.5", "--poll-interval", "0.1"])
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let midImport = try await harness.pool.query(
                    "SELECT count(*) FROM jobs WHERE state = 'running' AND cursor IS NOT NULL"
                ).single().decode(Int.self, at: 0)
                if midImport > 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            worker.terminate()
            #expect(await worker.exitStatus() == 0)
            let jobs = try await harness.queue.admin.list(JobQueue.Filter())
            #expect(!jobs.contains { $0.state == .running }, "nothing left running")
            #expect(jobs.allSatisfy { $0.state == .completed || ($0.state == .available && $0.attempt == 0) })
            #expect(jobs.contains { $0.state == .available && $0.cursorJSON != nil }, "a released job kept its checkpoint")
            try await harness.runWorkers(1)
            for (metric, filter) in metrics {
                #expect(try await harness.imported(metric) == harness.expected(filter), "\(metric.title)")
            }
        }
    }

    /// Three worker processes share the account's budget: together they reach at least 90 % of the
    /// sandbox's rate limit, with 429s under 1 % of requests.
    @Test func threeWorkersSpendTheBudgetWithoutOverrunningIt() async throws {
        let rate = 20.0
        let account = AccountParameters(seed: 8, customerCount: 12, billableMetricCount: 2, dayCount: 40, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account, rateLimit: rate, usageWindowsPerPage: 5) { harness in
            let connection = try await harness.addConnection(rateLimit: Decimal(rate), batchSize: 2)
            let metrics = try await usageMetrics(harness, connection: connection, count: 2)
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            let before = harness.sandbox.stats.requestsTotal
            let workers = try (0..<3).map { _ in
                try WorkerProcess(
                    database: harness.database, secretKey: ImporterHarness.key,
                    arguments: ["--concurrency", "4", "--poll-interval", "0.2", "--exit-when-idle", "--idle-horizon", "60"])
            }
            for worker in workers { #expect(await worker.exitStatus() == 0) }
            let stats = harness.sandbox.stats
            let requests = stats.requestsTotal - before
            let span = try await harness.pool.query(
                "SELECT extract(epoch FROM max(finalized_at) - min(attempted_at))::float8 FROM jobs"
            ).single().decode(Double.self, at: 0)
            let achieved = Double(requests) / span
            print("three workers: \(requests) requests in \(span) s = \(achieved) requests/s of \(rate); \(stats.rateLimited) 429s")
            #expect(achieved >= 0.9 * rate, "achieved \(achieved) requests/s of \(rate) (\(requests) requests in \(span) s)")
            #expect(Double(stats.rateLimited) < 0.01 * Double(requests), "\(stats.rateLimited) 429s in \(requests) requests")
            for (metric, filter) in metrics {
                #expect(try await harness.imported(metric) == harness.expected(filter), "\(metric.title)")
            }
        }
    }

    /// A worker whose METERBRIDGE_SECRET_KEY is not the key the tokens were saved with refuses to start,
    /// saying so, instead of spending every job's attempts on `cannot decrypt` and exiting 0.
    @Test func aWorkerWithTheWrongKeyRefusesToStart() async throws {
        let account = AccountParameters(seed: 41, customerCount: 2, billableMetricCount: 1, dayCount: 5, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account) { harness in
            let connection = try await harness.addConnection()
            _ = try await usageMetrics(harness, connection: connection, count: 1)
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("wrong-key-\(UUID().uuidString).log")
            defer { try? FileManager.default.removeItem(at: log) }
            let wrongKey = Data((0..<32).map { UInt8($0 * 11 % 256) }).base64EncodedString()
            let worker = try WorkerProcess(
                database: harness.database, secretKey: wrongKey, arguments: ["--poll-interval", "0.1", "--exit-when-idle"], logFile: log)
            #expect(await worker.exitStatus() != 0)
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(output.contains("METERBRIDGE_SECRET_KEY opens none of the 1 saved Metronome token(s) (sandbox)"), "\(output)")
            #expect(!output.contains(ImporterHarness.token))
            let attempted = try await harness.pool.query("SELECT count(*) FROM jobs WHERE attempt > 0").single().decode(Int.self, at: 0)
            #expect(attempted == 0, "no job was claimed")
        }
    }

    /// With the right key, a connection whose token alone does not open (saved for another base URL) is
    /// marked invalid at start, with the reason, and the other connections import.
    @Test func aTokenThatDoesNotOpenMarksItsConnectionInvalidAtStart() async throws {
        let account = AccountParameters(seed: 42, customerCount: 2, billableMetricCount: 1, dayCount: 5, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account) { harness in
            let good = try await harness.addConnection(name: "good")
            let moved = try await harness.addConnection(name: "moved")
            // The token was sealed for the sandbox's URL; the row now names another (still loopback) URL.
            try await harness.pool.query("UPDATE connections SET base_url = $2 WHERE id = $1", [moved.id, harness.sandbox.baseURL + "/"])
            _ = try await usageMetrics(harness, connection: good, count: 1)
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            let worker = try WorkerProcess(
                database: harness.database, secretKey: ImporterHarness.key, arguments: ["--poll-interval", "0.1", "--exit-when-idle", "--idle-horizon", "30"])
            #expect(await worker.exitStatus() == 0)
            let after = try await harness.connections.named("moved")
            #expect(after.status == .invalid)
            #expect(after.lastError?.contains("does not open this connection's saved token") == true, "\(after.lastError ?? "")")
            #expect(try await harness.connections.named("good").status == .active)
            let unfinished = try await harness.pool.query(
                "SELECT count(*) FROM jobs WHERE state <> 'completed' AND (args->>'connection_id')::bigint = $1", [good.id]
            ).single().decode(Int.self, at: 0)
            #expect(unfinished == 0)
        }
    }
}
