import Foundation
import Importer
import JobQueue
import Metronome
import MetronomeSandbox
import Testing
import TestSupport

/// The plan spends exactly the requests the paging rules require, counted by the sandbox: a first
/// import of 300 days, then three days of steady state with a pinned clock.
@Suite("Request plan", .timeLimit(.minutes(15)))
struct RequestPlanTests {
    static let usage = "POST /v1/usage"
    static let breakdowns = "GET /v1/customers/{customer_id}/invoices/breakdowns"

    static func requests(_ harness: ImporterHarness, _ endpoint: String) -> Int {
        harness.sandbox.stats.requestsByEndpoint[endpoint, default: [:]].values.reduce(0, +)
    }

    @Test func firstImportAndDailySyncsCostThePagingMinimum() async throws {
        let lastDay = ImporterHarness.today()
        let account = AccountParameters(seed: 21, customerCount: 6, billableMetricCount: 2, dayCount: 300, lastDay: lastDay)
        try await ImporterHarness.run(account: account) { harness in
            let connection = try await harness.addConnection(batchSize: 3)
            let since = UTCDay(harness.account.firstDay.description)!
            let today = UTCDay(lastDay.description)!
            #expect(today.daysSinceEpoch - since.daysSinceEpoch + 1 == 300)
            var metrics: [BusinessMetric] = []
            for spec in harness.account.metrics.prefix(2) {
                metrics.append(
                    try await harness.metrics.create(
                        title: "usage \(spec.id)", connection: connection, source: .usage(billableMetric: spec.id),
                        labelSource: .customerName, since: since))
            }
            let revenue = try await harness.metrics.create(
                title: "revenue", connection: connection, source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal),
                labelSource: .customerName, since: since)
            let customers = harness.account.customers.count

            func run(on day: UTCDay) async throws -> (usage: Int, revenue: Int, summary: ImportPlanner.Summary) {
                let clock = ImportClock(pinnedDay: day)
                let (usage, breakdowns) = (Self.requests(harness, Self.usage), Self.requests(harness, Self.breakdowns))
                let planner = ImportPlanner(queue: harness.queue, clock: clock, logger: harness.logger)
                let summary = try await planner.plan()
                try await harness.runWorkers(2, clock: clock)
                // Planning the same day again adds nothing.
                let again = try await planner.plan()
                #expect(again.syncJobs + again.backfillJobs == 0, "re-planned on \(day)")
                return (Self.requests(harness, Self.usage) - usage, Self.requests(harness, Self.breakdowns) - breakdowns, summary)
            }

            // First import: 300 days = ⌈300/200⌉ usage pages and ⌈300/35⌉ breakdown pages per customer.
            let first = try await run(on: today)
            #expect(first.usage == 2 * customers * 2)
            #expect(first.revenue == customers * 9)
            #expect(first.summary.plannedRequests == first.usage + first.revenue)
            #expect(harness.sandbox.stats.pagesServedMoreThanOnce == 0)
            for (metric, spec) in zip(metrics, harness.account.metrics) {
                #expect(try await harness.imported(metric) == harness.expected(TruthFilter(kind: .usage, billableMetricID: spec.id)))
            }
            #expect(try await harness.imported(revenue) == harness.expected(
                    SandboxTruth.revenue(creditTypeID: try #require(revenue.creditTypeID), basis: "invoice_total")))
            let projection = try #require(first.summary.projections.first)
            #expect(projection.backfillRequests == first.usage + first.revenue, "the projection counted what the import cost")
            #expect(projection.syncRequests == 2 * customers + customers)

            // Steady state: each new day costs exactly one sync, one page per (customer, metric) pair.
            for offset in 1...3 {
                let day = try await run(on: today.adding(days: offset))
                #expect(day.usage == 2 * customers, "day +\(offset)")
                #expect(day.revenue == customers, "day +\(offset)")
                #expect(day.summary.backfillJobs == 0)
            }
            // Coverage stays a few merged rows per batch, not one per sync.
            let rows = try await harness.pool.query("SELECT count(*) FROM import_coverage").single().decode(Int.self, at: 0)
            #expect(rows == 3 * 2)
            #expect(harness.sandbox.stats.pagesServedMoreThanOnce == 0)
            let saved = try await ImportPlanner.savedProjections(pool: harness.pool)
            #expect(saved[connection.id]?.backfillRequests == 0)
            #expect(saved[connection.id]?.syncRequests == projection.syncRequests)

            // The dry run and status say the same, in requests; a bad pinned day is refused.
            let pinned = ["METERBRIDGE_TODAY": today.adding(days: 3).description]
            let plan = try CLITests().meterbridge(["plan"], database: harness.database, environment: pinned)
            #expect(plan.status == 0, "\(plan.stderr)")
            // One sync of 3 metrics for every customer, and the catalog: 2 customer lists, metrics, credit types.
            #expect(plan.stdout.contains("sandbox: backfill done; sync \(3 * customers + 4) requests/day"), "\(plan.stdout)")
            let hourly = try CLITests().meterbridge(
                ["plan", "--hot-interval", "1h", "--format", "json"], database: harness.database, environment: pinned)
            #expect(hourly.stdout.contains("\"hot_interval_seconds\" : 3600"), "\(hourly.stdout)")
            let status = try CLITests().meterbridge(["status"], database: harness.database, environment: pinned)
            #expect(status.stdout.contains("Plan:") && status.stdout.contains("backfill done"), "\(status.stdout)")
            let bad = try CLITests().meterbridge(["plan"], database: harness.database, environment: ["METERBRIDGE_TODAY": "someday"])
            #expect(bad.status != 0 && bad.stderr.contains("METERBRIDGE_TODAY must be a day"), "\(bad.stderr)")
        }
    }

    /// Every planned import job pages once per customer of its batch, revenue as usage: a 175-day revenue
    /// job used to page five times per customer, one customer after another, and so ran five times longer
    /// than the rest; with slow API answers an account ended with it paging alone, below its budget.
    @Test func everyJobPagesOncePerCustomer() async throws {
        let lastDay = ImporterHarness.today()
        let account = AccountParameters(seed: 21, customerCount: 6, billableMetricCount: 1, dayCount: 400, lastDay: lastDay)
        try await ImporterHarness.run(account: account) { harness in
            let connection = try await harness.addConnection(batchSize: 3)
            let since = UTCDay(harness.account.firstDay.description)!
            _ = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: harness.account.metrics[0].id),
                labelSource: .customerName, since: since)
            _ = try await harness.metrics.create(
                title: "revenue", connection: connection, source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal),
                labelSource: .customerName, since: since)
            let summary = try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            let jobs = try await harness.queue.admin.list(JobQueue.Filter(), limit: 1_000).filter { $0.kind != ImportJobKind.catalog.rawValue }
            #expect(jobs.count == summary.syncJobs + summary.backfillJobs)
            #expect(Set(jobs.map(\.kind)) == [ImportJobKind.usage.rawValue, ImportJobKind.revenue.rawValue])
            for job in jobs {
                let args = try JSONDecoder().decode(ImportJobArgs.self, from: Data(job.argsJSON.utf8))
                let pages = PageCost.job(kind: ImportJobKind(rawValue: job.kind)!, args: args)
                #expect(pages == args.customerIDs.count, "\(job.kind) \(args.window): \(pages) pages for \(args.customerIDs.count) customers")
            }
            // The paging minimum is unchanged: ⌈400/200⌉ usage pages and ⌈400/35⌉ breakdown pages per customer.
            #expect(summary.plannedRequests == 6 * 2 + 6 * 12)
        }
    }

    /// A job that failed for good keeps its window out of the plan until an operator retries it.
    @Test func aDiscardedWindowIsNotPlannedAgain() async throws {
        let lastDay = ImporterHarness.today()
        let account = AccountParameters(seed: 5, customerCount: 2, billableMetricCount: 1, dayCount: 20, lastDay: lastDay)
        try await ImporterHarness.run(account: account) { harness in
            let connection = try await harness.addConnection(batchSize: 2)
            _ = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: harness.account.metrics[0].id),
                labelSource: .customerName, since: UTCDay(harness.account.firstDay.description)!)
            let planner = ImportPlanner(queue: harness.queue, logger: harness.logger)
            let first = try await planner.plan()
            #expect(first.syncJobs == 1)
            let job = try #require(try await harness.queue.claim(queues: ImportQueue.all, limit: 1, workerID: "test").first)
            try await harness.queue.discard(job.lease, reason: "400 Bad Request")
            for _ in 0..<3 {
                let again = try await planner.plan()
                #expect(again.syncJobs + again.backfillJobs == 0)
            }
            try await harness.queue.admin.requeue(JobQueue.Filter(state: .discarded))
            try await harness.runWorkers(1)
            #expect(try await harness.queue.admin.list(JobQueue.Filter(state: .completed)).count >= 1)
        }
    }

    /// `numeric` accepts NaN; the amount columns do not.
    @Test func noAmountColumnAcceptsNaN() async throws {
        let account = AccountParameters(seed: 5, customerCount: 1, billableMetricCount: 1, dayCount: 2, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account) { harness in
            let connection = try await harness.addConnection()
            let metric = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: harness.account.metrics[0].id),
                labelSource: .customerName, since: UTCDay(harness.account.firstDay.description)!)
            let customer = harness.account.customers[0].id
            await #expect(throws: (any Error).self) {
                try await harness.pool.query(
                    "INSERT INTO metric_values (metric_id, day, customer_id, amount) VALUES ($1, '2026-01-01', $2, 'NaN')",
                    [metric.id, customer])
            }
        }
    }
}

extension ImporterHarness {
    /// A worker in this process whose leases last 1.5 s (heartbeats every 0.5 s), so a lost lease is
    /// noticed quickly; it exits once nothing is left to run.
    func startShortLeaseWorker(concurrency: Int) -> Task<Void, any Error> {
        var configuration = JobQueue.Configuration()
        configuration.lease = .seconds(1.5)
        let queue = JobQueue(pool: pool, configuration: configuration, logger: logger)
        var options = JobWorker.Options()
        options.queues = ImportQueue.all
        options.concurrency = concurrency
        options.exitWhenIdle = true
        options.pollInterval = .seconds(0.05)
        let handler = ImportJobHandler(pool: pool, connections: connections, httpClient: httpClient, logger: logger)
        let logger = logger
        return Task { try await JobWorker(queue: queue, handler: handler, options: options, logger: logger).run() }
    }
}

@Suite("Lost leases", .timeLimit(.minutes(15)))
struct LostLeaseTests {
    /// A job whose lease was lost (here: taken over) sends no further request: the check runs right
    /// before each send, after the pacer's wait, not only at the next commit. The connection allows one
    /// request every 4 s and heartbeats run every 0.5 s, so the loss is noticed long before the second
    /// request is due.
    @Test func aJobThatLostItsLeaseSendsNoFurtherRequest() async throws {
        let account = AccountParameters(seed: 3, customerCount: 1, billableMetricCount: 1, dayCount: 60, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account, usageWindowsPerPage: 10) { harness in
            let connection = try await harness.addConnection(rateLimit: Decimal(string: "0.25")!)
            _ = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: harness.account.metrics[0].id),
                labelSource: .customerName, since: UTCDay(harness.account.firstDay.description)!)
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            let worker = harness.startShortLeaseWorker(concurrency: 1)
            // Wait for the first page's commit, then take the lease over.
            var stolenAt = 0
            for _ in 0..<2_000 {
                let taken = try await harness.pool.query(
                    """
                    UPDATE jobs SET lease_token = gen_random_uuid()
                    WHERE kind = 'import_usage' AND state = 'running' AND cursor IS NOT NULL RETURNING id
                    """)
                if !taken.isEmpty {
                    stolenAt = RequestPlanTests.requests(harness, RequestPlanTests.usage)
                    break
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(stolenAt == 1, "the lease was taken after the first page")
            try await worker.value  // the job ends, the worker finds nothing else and exits
            #expect(RequestPlanTests.requests(harness, RequestPlanTests.usage) == stolenAt, "no request after the lease was lost")
        }
    }
}

@Suite("Revenue resume", .timeLimit(.minutes(15)))
struct RevenueResumeTests {
    /// A shared revenue job stopped after a customer's first page, with that page's sums saved. One of
    /// its metrics is deleted before it resumes: the saved sums no longer match the metrics and are
    /// dropped. The page cursor used to be kept, so the customer's first page was never summed again
    /// and its partial total was written as final. Now the customer's walk restarts.
    @Test func droppedSumsRestartTheCustomersWalk() async throws {
        let account = AccountParameters(seed: 8, customerCount: 2, billableMetricCount: 1, dayCount: 150, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account) { harness in
            let connection = try await harness.addConnection()
            let since = UTCDay(harness.account.firstDay.description)!
            let kept = try await harness.metrics.create(
                title: "revenue total", connection: connection,
                source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal), labelSource: .customerName, since: since)
            let dropped = try await harness.metrics.create(
                title: "revenue gross", connection: connection,
                source: .revenue(currency: "USD", creditTypeID: nil, basis: .grossUsage), labelSource: .customerName, since: since)
            // Windows of several pages per customer (`--revenue-window-days 175`), so a walk can stop midway.
            var options = ImportPlanner.Options()
            options.revenueWindowDays = 175
            try await ImportPlanner(queue: harness.queue, options: options, logger: harness.logger).plan()
            let job = try #require(try await harness.queue.admin.list(JobQueue.Filter(kind: ImportJobKind.revenue.rawValue)).first)
            let args = try JSONDecoder().decode(ImportJobArgs.self, from: Data(job.argsJSON.utf8))
            #expect(args.metricIDs == [kept.id, dropped.id], "one job serves both metrics")

            // The state after the first customer's first page: its next cursor and that page's sums.
            let creditType = try #require(kept.creditTypeID)
            let customer = args.customerIDs[0]
            var sums = [
                RevenueAccumulator(creditTypeID: creditType, basis: .invoiceTotal),
                RevenueAccumulator(creditTypeID: creditType, basis: .grossUsage),
            ]
            var next: String?
            try await MetronomeClient.withClient(
                configuration: try harness.connections.clientConfiguration(for: connection), logger: harness.logger
            ) { client in
                let query = InvoiceBreakdownQuery(
                    window: try DayWindow(firstDay: args.window.start, endDay: args.window.end), windowSize: .day,
                    creditTypeID: creditType, sort: .dateAscending)
                for try await page in client.invoiceBreakdowns(customerID: customer, query) {
                    for breakdown in page.items where breakdown.invoice.customerID == customer {
                        for index in sums.indices { try sums[index].add(breakdown, window: args.window) }
                    }
                    next = page.nextCursor
                    break
                }
            }
            let cursor = try #require(next, "the customer's walk has a second page")
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let cursorJSON = """
                {"accumulators": \(String(decoding: try encoder.encode(sums), as: UTF8.self)), "customerIndex": 0, \
                "nextPage": \(String(decoding: try encoder.encode(cursor), as: UTF8.self))}
                """
            try await harness.pool.query("UPDATE jobs SET cursor = $2::jsonb WHERE id = $1", [job.id, cursorJSON])
            // The metric goes while its job is queued (`metric delete` also cancels the metric's jobs; a
            // job claimed in between still resumes with the other metric only).
            try await harness.pool.query("DELETE FROM metric_values WHERE metric_id = $1", [dropped.id])
            try await harness.pool.query("DELETE FROM business_metrics WHERE id = $1", [dropped.id])

            try await harness.runWorkers(1)
            let imported = try await harness.imported(kept)
            let expected = harness.expected(SandboxTruth.revenue(creditTypeID: creditType, basis: "invoice_total"))
            let wrong = expected.filter { imported[$0.key] != $0.value }.map(\.key).sorted()
            let after = try await harness.queue.admin.job(id: job.id)
            #expect(
                wrong.isEmpty && imported.count == expected.count,
                "\(wrong.count) of \(expected.count) days wrong, e.g. \(wrong.prefix(2)); job \(String(describing: after?.state)) \(after?.errors.last?.error.prefix(300) ?? "")")
        }
    }
}

@Suite("Fair pacing", .timeLimit(.minutes(15)))
struct FairPacingTests {
    /// A slow connection's jobs used to wait for their slots while holding every worker slot, so a fast
    /// connection starved. Now a job whose slot is more than about 1.5 intervals ahead is held (no slot
    /// taken, no attempt used): with 4 slots, the fast connection keeps its budget while the slow one
    /// is busy.
    @Test func aSlowConnectionDoesNotStarveAFastOne() async throws {
        let account = AccountParameters(seed: 12, customerCount: 8, billableMetricCount: 1, dayCount: 60, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account, usageWindowsPerPage: 5) { harness in
            let slow = try await harness.connections.add(
                name: "a-slow", baseURL: harness.sandbox.baseURL, token: ImporterHarness.token, rateLimit: Decimal(string: "0.5")!,
                customerBatchSize: 1)
            let fast = try await harness.connections.add(
                name: "b-fast", baseURL: harness.sandbox.baseURL, token: ImporterHarness.token, rateLimit: 20, customerBatchSize: 1)
            for connection in [slow, fast] {
                try await MetronomeClient.withClient(
                    configuration: try harness.connections.clientConfiguration(for: connection), logger: harness.logger
                ) { client in
                    _ = try await CatalogSync(pool: harness.pool).sync(connection: connection, client: client)
                }
                _ = try await harness.metrics.create(
                    title: "usage \(connection.name)", connection: connection,
                    source: .usage(billableMetric: harness.account.metrics[0].id), labelSource: .customerName,
                    since: UTCDay(harness.account.firstDay.description)!)
            }
            // The slow connection's jobs are planned (connections in name order), and claimed, first.
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()

            let worker = harness.startShortLeaseWorker(concurrency: 4)
            let fastJobs = #"{"connection_id": \#(fast.id)}"#
            var done = false
            for _ in 0..<3_000 where !done {
                done = try await harness.pool.query(
                    "SELECT bool_and(state = 'completed') FROM jobs WHERE kind = 'import_usage' AND args @> $1::jsonb", [fastJobs]
                ).single().decode(Bool.self, at: 0)
                if !done { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(done, "the fast connection finished")
            // Stop the slow connection's jobs (a short lease: the running ones notice within half a second).
            try await harness.connections.setStatus(slow.id, .paused)
            try await harness.queue.admin.cancel(JobQueue.Filter(argsContainJSON: #"{"connection_id": \#(slow.id)}"#))
            try await worker.value
            // From the worker's first claim (a slow job) to the fast connection's last page.
            let span = try await harness.pool.query(
                """
                SELECT extract(epoch FROM (SELECT max(finalized_at) FROM jobs WHERE kind = 'import_usage' AND args @> $1::jsonb)
                    - (SELECT min(attempted_at) FROM jobs WHERE kind = 'import_usage'))::float8
                """, [fastJobs]
            ).single().decode(Double.self, at: 0)
            let requests = try await harness.pool.query("SELECT requests FROM rate_limits WHERE connection_id = $1", [fast.id])
                .single().decode(Int.self, at: 0)
            let slowBusy = try await harness.pool.query(
                "SELECT count(*) FROM jobs WHERE kind = 'import_usage' AND state <> 'completed' AND args @> $1::jsonb",
                [#"{"connection_id": \#(slow.id)}"#]
            ).single().decode(Int.self, at: 0)
            #expect(slowBusy > 0, "the slow connection was still busy the whole time")
            let rate = Double(requests) / span
            print("fair pacing: the fast connection made \(requests) requests in \(span) s = \(rate)/s")
            // Alone on the machine it keeps its whole budget (20.0–20.2 of 20 measured); while the timing
            // suites share the 2 cores, pages take longer (9.3 to 17 of 20 seen), so the bar is 0.3 × 20:
            // more than twice what it got starved, as before (2.5 of 20), and clear of the load's spread.
            #expect(rate >= 0.3 * 20, "the fast connection got \(rate) of 20 requests/s (\(requests) in \(span) s)")
        }
    }
}
