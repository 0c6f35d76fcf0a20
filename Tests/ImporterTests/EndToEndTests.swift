import Foundation
import Importer
import JobQueue
import Metronome
import MetronomeSandbox
import Postgres
import Testing
import TestSupport

@Suite("Import end to end", .timeLimit(.minutes(15)))
struct EndToEndTests {
    /// Every metric kind, currency, basis and label source, against a sandbox with faults on and a rate
    /// limit below the connection's own pace (so 429s happen): the imported values equal the truth.
    @Test func everyMetricEqualsTheTruthDespiteFaults() async throws {
        let today = ImporterHarness.today()
        let account = AccountParameters(seed: 11, customerCount: 8, billableMetricCount: 3, dayCount: 45, lastDay: today)
        // Every fault kind: 5xx, slow answers, dropped connections, truncated and non-JSON bodies, empty
        // pages with cursors, repeated cursors, 429 storms in all three Retry-After styles, and an API
        // that grew unknown fields and enum values.
        let faults = FaultConfiguration(
            serverErrorRate: 0.05, slowRate: 0.03, slowDelay: .milliseconds(50), dropRate: 0.02, malformedRate: 0.03,
            emptyPageRate: 0.05, mixedTimestampRate: 0.2, repeatCursorRate: 0.05, rateLimitedRate: 0.03, schemaDrift: true,
            seed: 3)
        // The connection paces at 40 requests/s and the sandbox allows 20, so 429s happen whenever the
        // workers get ahead (see `rateLimitedJobsSnoozeAndFinish` for a test where they must).
        try await ImporterHarness.run(account: account, rateLimit: 20, faults: faults) { harness in
            let connection = try await harness.addConnection(rateLimit: 40)
            let since = UTCDay(harness.account.firstDay.description)!
            var created: [(BusinessMetric, TruthFilter)] = []
            let labelSources: [LabelSource] = [.customerName, .ingestAlias, .customerID]
            for (index, metric) in harness.account.metrics.enumerated() {
                let business = try await harness.metrics.create(
                    title: "usage \(metric.name)", connection: connection, source: .usage(billableMetric: metric.id),
                    labelSource: labelSources[index % 3], since: since)
                created.append((business, TruthFilter(kind: .usage, billableMetricID: metric.id)))
            }
            for creditType in harness.account.creditTypes where creditType.isCurrency {
                for basis in Importer.RevenueBasis.allCases {
                    let business = try await harness.metrics.create(
                        title: "revenue \(creditType.name) \(basis.rawValue)", connection: connection,
                        source: .revenue(currency: nil, creditTypeID: creditType.id, basis: basis),
                        labelSource: labelSources[created.count % 3], since: since)
                    created.append(
                        (business, SandboxTruth.revenue(creditTypeID: creditType.id, basis: basis.rawValue)))
                }
            }
            #expect(created.count >= 3 + 4, "usage metrics and revenue in USD and EUR on both bases")

            let planner = ImportPlanner(queue: harness.queue, logger: harness.logger)
            let summary = try await planner.plan()
            // 45 days: usage fits in one window, the sync; revenue is a 35-day sync window and 10 days of backfill.
            #expect(summary.syncJobs > 0 && summary.backfillJobs > 0)
            // Two worker processes, as in production.
            let debugLog = FileManager.default.temporaryDirectory.appendingPathComponent("meterbridge-worker-\(UUID()).log")
            defer { try? FileManager.default.removeItem(at: debugLog) }
            let workers = try (0..<2).map { index in
                try WorkerProcess(
                    database: harness.database, secretKey: ImporterHarness.key,
                    arguments: ["--concurrency", "3", "--poll-interval", "0.1", "--exit-when-idle", "--idle-horizon", "60"],
                    logFile: index == 0 ? debugLog : nil)
            }
            for worker in workers { #expect(await worker.exitStatus() == 0) }

            // The token appears nowhere: not in a debug log of a whole import, not in any job row, not in
            // the connections table (only its ciphertext is stored).
            let log = try String(contentsOf: debugLog, encoding: .utf8)
            #expect(log.contains("Metronome response"), "the debug log covers the requests")
            #expect(!log.contains(ImporterHarness.token))
            let leaks = try await harness.pool.query(
                """
                SELECT (SELECT count(*) FROM jobs WHERE args::text LIKE '%' || $1 || '%' OR errors::text LIKE '%' || $1 || '%'
                            OR coalesce(cursor::text, '') LIKE '%' || $1 || '%')
                     + (SELECT count(*) FROM connections WHERE position(convert_to($1, 'UTF8') IN token_ciphertext) > 0
                            OR coalesce(last_error, '') LIKE '%' || $1 || '%')
                """, [ImporterHarness.token]
            ).single().decode(Int.self, at: 0)
            #expect(leaks == 0)

            let discarded = try await harness.queue.admin.list(JobQueue.Filter(state: .discarded))
            #expect(discarded.isEmpty, "discarded: \(discarded.map { $0.errors.last?.error ?? "" })")
            for (metric, filter) in created {
                let imported = try await harness.imported(metric)
                let expected = harness.expected(filter)
                #expect(!expected.isEmpty, "\(metric.title) has truth to compare with")
                #expect(imported == expected, "\(metric.title): imported \(imported.count) rows, truth \(expected.count)")
            }
            let stats = harness.sandbox.stats
            #expect(stats.pagesServedMoreThanOnce == 0, "no page fetched twice")
            #expect(stats.faultsInjected.values.reduce(0, +) > 0, "faults were injected")
            // Idempotency: planning again changes nothing that is already imported and fresh.
            let again = try await planner.plan()
            #expect(again.backfillJobs == 0)
        }
    }
}

@Suite("Import guarantees", .timeLimit(.minutes(15)))
struct ImportGuaranteeTests {
    static func account(customers: Int = 6, days: Int = 40) -> AccountParameters {
        AccountParameters(seed: 5, customerCount: customers, billableMetricCount: 2, dayCount: days, lastDay: ImporterHarness.today())
    }

    /// Re-importing everything rewrites no row: `xmin` (the row version) of every value stays the same.
    @Test func aSecondFullRunChangesNoRow() async throws {
        try await ImporterHarness.run(account: Self.account()) { harness in
            let connection = try await harness.addConnection()
            let since = UTCDay(harness.account.firstDay.description)!
            _ = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: harness.account.metrics[0].id),
                labelSource: .customerName, since: since)
            _ = try await harness.metrics.create(
                title: "revenue", connection: connection, source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal),
                labelSource: .customerName, since: since)
            let planner = ImportPlanner(queue: harness.queue, logger: harness.logger)
            try await planner.plan()
            try await harness.runWorkers(2)
            let versions = "SELECT metric_id, day, customer_id, xmin::text FROM metric_values ORDER BY 1, 2, 3"
            let before = try await harness.pool.query(versions).map { $0.values }
            #expect(!before.isEmpty)
            // Forget all coverage: the planner re-imports every window of every metric.
            try await harness.pool.query("DELETE FROM import_coverage")
            let second = try await planner.plan()
            #expect(second.backfillJobs + second.syncJobs > 0)
            try await harness.runWorkers(2)
            let after = try await harness.pool.query(versions).map { $0.values }
            #expect(after == before, "a full re-import rewrote rows")
        }
    }

    /// 429s are absorbed without using attempts (retried in the request after `Retry-After`, or the job
    /// snoozes when the request gives up), and the import still ends exactly right. Two jobs start
    /// together against a bucket holding one request, so at least one of them is refused.
    @Test func rateLimitedJobsSnoozeAndFinish() async throws {
        try await ImporterHarness.run(account: Self.account(customers: 2, days: 5), rateLimit: 1) { harness in
            let connection = try await harness.addConnection(rateLimit: 1_000, batchSize: 1)
            let spec = harness.account.metrics[0]
            let metric = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: spec.id), labelSource: .customerName,
                since: UTCDay(harness.account.firstDay.description)!)
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            try await harness.runWorkers(1, concurrency: 2)
            #expect(harness.sandbox.stats.rateLimited > 0)
            let jobs = try await harness.queue.admin.list(JobQueue.Filter())
            #expect(jobs.allSatisfy { $0.state == .completed })
            #expect(jobs.allSatisfy { $0.attempt == 1 }, "429s used no attempt")
            #expect(try await harness.imported(metric) == harness.expected(TruthFilter(kind: .usage, billableMetricID: spec.id)))
        }
    }

    /// A token Metronome refuses: the connection turns invalid with the reason, its jobs stop (snoozed,
    /// not retried), and nothing is imported or retried in a loop.
    @Test func aRevokedTokenMakesTheConnectionInvalid() async throws {
        try await ImporterHarness.run(account: Self.account(customers: 3, days: 10)) { harness in
            let connection = try await harness.addConnection()
            _ = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: harness.account.metrics[0].id),
                labelSource: .customerName, since: UTCDay(harness.account.firstDay.description)!)
            try await harness.connections.setToken(connection, token: "revoked-token")
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            try await harness.runWorkers(1, stopWhenNothingDue: true)
            let record = try await harness.connections.named("sandbox")
            #expect(record.status == .invalid)
            #expect(record.lastError?.contains("401") == true)
            let jobs = try await harness.queue.admin.list(JobQueue.Filter())
            #expect(!jobs.isEmpty)
            #expect(jobs.allSatisfy { $0.state == .available && $0.attempt == 0 }, "held back, no attempt used")
            #expect(jobs.allSatisfy { job in job.errors.contains { $0.kind == "snoozed" && $0.error.contains("401") } })
            #expect(try await harness.pool.query("SELECT count(*) FROM metric_values").single().decode(Int.self, at: 0) == 0)
            // The planner plans nothing more for an invalid connection.
            let again = try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            #expect(again == ImportPlanner.Summary())
        }
    }
}

@Suite("Catalog changes", .timeLimit(.minutes(15)))
struct CatalogChangeTests {
    /// A customer that appears after the metric was created is backfilled from `--since`, and a rename
    /// shows in the labels at once without touching stored values.
    @Test func newCustomersAreBackfilledAndRenamesRelabel() async throws {
        let account = AccountParameters(seed: 13, customerCount: 5, billableMetricCount: 1, dayCount: 50, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account) { harness in
            let connection = try await harness.addConnection(batchSize: 2)
            let metricSpec = harness.account.metrics[0]
            let metric = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: metricSpec.id), labelSource: .customerName,
                since: UTCDay(harness.account.firstDay.description)!)
            // Pretend the newest customer did not exist yet.
            let late = harness.account.customers.map(\.id).sorted().last!
            try await harness.pool.query("DELETE FROM customers WHERE id = $1", [late])
            let planner = ImportPlanner(queue: harness.queue, logger: harness.logger)
            try await planner.plan()
            try await harness.runWorkers(1)
            let truth = harness.expected(TruthFilter(kind: .usage, billableMetricID: metricSpec.id))
            #expect(try await harness.imported(metric) == truth.filter { !$0.key.hasPrefix(late) })

            // The customer appears: the catalog sync puts it in a batch and the planner backfills it.
            try await MetronomeClient.withClient(
                configuration: try harness.connections.clientConfiguration(for: connection), logger: harness.logger
            ) { client in
                let summary = try await CatalogSync(pool: harness.pool).sync(connection: connection, client: client)
                #expect(summary.newCustomers == 1)
            }
            let second = try await planner.plan()
            #expect(second.backfillJobs + second.syncJobs > 0)
            try await harness.runWorkers(1)
            #expect(try await harness.imported(metric) == truth)

            // A rename between imports relabels at once; the stored rows are untouched.
            let someone = try #require(try await harness.metrics.values(metric).first)
            try await harness.pool.query("UPDATE customers SET name = 'Renamed Inc' WHERE id = $1", [someone.customerID])
            let relabeled = try await harness.metrics.values(metric).filter { $0.customerID == someone.customerID }
            #expect(relabeled.allSatisfy { $0.label == "Renamed Inc" })
            #expect(try await harness.imported(metric) == truth)
        }
    }
}
