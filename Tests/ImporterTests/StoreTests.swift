import Foundation
import Importer
import JobQueue
import Metronome
import Postgres
import Testing
import TestSupport
import UnitEconomics

/// A migrated schema with one connection (no Metronome behind it) and its catalog written directly.
struct StoreFixture {
    static let key = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

    let database: TestDatabase
    let pool: PostgresConnectionPool
    let connections: ConnectionStore
    let metrics: MetricStore
    let queue: JobQueue
    let connection: ConnectionRecord

    static func make(customers: [(id: String, batch: Int)] = [("c-1", 0)], function: String = #function) async throws -> StoreFixture {
        let database = try await TestDatabase.make(function: function)
        let pool = database.pool(size: 3)
        let connections = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: key))
        let connection = try await connections.add(
            name: "acct", baseURL: "http://127.0.0.1:9", token: "store-test-token", rateLimit: 8, customerBatchSize: 25)
        try await pool.query("INSERT INTO billable_metrics (connection_id, id, name) VALUES ($1, 'bm-cpu', 'CPU hours')", [connection.id])
        try await pool.query(
            "INSERT INTO credit_types (connection_id, id, name, is_currency) VALUES ($1, $2, 'USD (cents)', true)",
            [connection.id, RevenueUnits.usdCentsID])
        for customer in customers {
            try await pool.query(
                "INSERT INTO customers (connection_id, id, name, import_batch) VALUES ($1, $2, $2, $3)",
                [connection.id, customer.id, customer.batch])
        }
        return StoreFixture(
            database: database, pool: pool, connections: connections, metrics: MetricStore(pool: pool),
            queue: JobQueue(pool: pool, logger: TestDatabase.logger), connection: connection)
    }

    func usageMetric(_ title: String = "CPU hours", since: String = "2026-01-01") async throws -> BusinessMetric {
        try await metrics.create(
            title: title, connection: connection, source: .usage(billableMetric: "bm-cpu"), labelSource: .customerName,
            since: UTCDay(since)!)
    }

    /// Enqueues an import job of `metric` and claims it, so it runs under a lease.
    func runningJob(of metric: BusinessMetric, day: String) async throws -> Int64 {
        try await claimedJob(of: metric, day: day).id
    }

    /// Enqueues an import job of `metric` and claims it: the job with its lease.
    func claimedJob(of metric: BusinessMetric, day: String) async throws -> ClaimedJob {
        let start = UTCDay(day)!
        let args = ImportJobArgs(
            connectionID: connection.id, metricIDs: [metric.id], window: DayRange(start: start, end: start.adding(days: 1)),
            batch: 0, customerIDs: ["c-1"])
        let id = try await queue.enqueue(
            try NewJob(kind: ImportJobKind.usage.rawValue, args: args, queue: ImportQueue.backfill, uniqueKey: args.uniqueKey))
        guard case .inserted(let jobID) = id else { throw TestDatabaseError(description: "job not inserted") }
        let claimed = try await queue.claim(queues: [ImportQueue.backfill], limit: 1, workerID: "store-tests")
        #expect(claimed.map(\.id) == [jobID])
        return try #require(claimed.first)
    }

    /// The state and lease columns of a job, as the queue stores them.
    func lease(_ id: Int64) async throws -> (state: JobState, lockedBy: String?, token: String?, expires: Date?) {
        let row = try await pool.query(
            "SELECT state, locked_by, lease_token::text, lease_expires_at FROM jobs WHERE id = $1", [id]
        ).single()
        return (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2), try row.decode(at: 3))
    }

    func close() async { await pool.close() }
}

/// Deleting a metric or removing a connection cancels their jobs exactly as `jobs cancel` does.
@Suite("Cancelling with the stores", .timeLimit(.minutes(2)))
struct StoreCancelTests {
    @Test func deletingAMetricCancelsItsRunningJobsAndClearsTheirLeases() async throws {
        let fixture = try await StoreFixture.make()
        let doomed = try await fixture.usageMetric()
        let kept = try await fixture.usageMetric("Kept")
        let job = try await fixture.runningJob(of: doomed, day: "2026-01-01")
        let reference = try await fixture.runningJob(of: kept, day: "2026-01-02")
        #expect(try await fixture.lease(job).token != nil)

        try await fixture.metrics.delete(doomed)
        try await fixture.queue.admin.cancel(JobQueue.Filter(ids: [reference]))

        let cancelled = try await fixture.lease(job)
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.lockedBy == nil && cancelled.token == nil && cancelled.expires == nil)
        // The same columns as the queue's own cancel leaves.
        let byQueue = try await fixture.lease(reference)
        #expect(byQueue.state == .cancelled && byQueue.lockedBy == nil && byQueue.token == nil && byQueue.expires == nil)
        await fixture.close()
    }

    @Test func removingAConnectionCancelsItsRunningJobsAndClearsTheirLeases() async throws {
        let fixture = try await StoreFixture.make()
        let metric = try await fixture.usageMetric()
        let job = try await fixture.runningJob(of: metric, day: "2026-01-01")

        #expect(try await fixture.connections.remove(fixture.connection, cascade: true) == 1)

        let cancelled = try await fixture.lease(job)
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.lockedBy == nil && cancelled.token == nil && cancelled.expires == nil)
        await fixture.close()
    }
}

/// `meterbridge status` and the reports read "complete through" from one view, so they cannot disagree.
@Suite("Complete through", .timeLimit(.minutes(2)))
struct CompleteThroughTests {
    func cover(_ fixture: StoreFixture, _ metric: BusinessMetric, _ start: String, _ end: String, customers: [String]) async throws {
        try await fixture.pool.query(
            """
            INSERT INTO import_coverage (metric_id, import_batch, window_start, window_end, customer_ids)
            VALUES ($1, 0, $2::date, $3::date, $4)
            """, [metric.id, start, end, customers])
    }

    func reportThrough(_ fixture: StoreFixture, _ metric: BusinessMetric) async throws -> String? {
        let source = ReportDataSource(pool: fixture.pool)
        return try await source.completeThrough(try await source.metric(titled: metric.title))?.description
    }

    func statusThrough(_ fixture: StoreFixture, _ metric: BusinessMetric, today: String) async throws -> String? {
        let status = try await ImportStatus.load(pool: fixture.pool, today: UTCDay(today)!)
        return try #require(status.metrics.first { $0.title == metric.title }).completeThrough
    }

    @Test func statusAndReportsAgreeOnAPartlyImportedMetric() async throws {
        let fixture = try await StoreFixture.make(customers: [("c-1", 0), ("c-2", 0), ("c-3", 1), ("c-4", 2)])
        let metric = try await fixture.usageMetric(since: "2025-01-01")
        // Nothing imported yet: no day is complete.
        #expect(try await statusThrough(fixture, metric, today: "2025-02-01") == nil)
        #expect(try await reportThrough(fixture, metric) == nil)

        // Batch 0 through the 20th in two touching windows, batch 1 through the 15th with a gap after it
        // (16th and 17th missing), batch 2 not yet: nothing is complete while one batch has no days.
        try await cover(fixture, metric, "2025-01-01", "2025-01-11", customers: ["c-1", "c-2"])
        try await cover(fixture, metric, "2025-01-11", "2025-01-21", customers: ["c-1"])
        try await cover(fixture, metric, "2025-01-01", "2025-01-16", customers: ["c-3"])
        try await cover(fixture, metric, "2025-01-18", "2025-01-30", customers: ["c-3"])
        #expect(try await statusThrough(fixture, metric, today: "2025-02-01") == nil)
        #expect(try await reportThrough(fixture, metric) == nil)

        // Batch 2 from before `since` to past the others: complete through the earliest batch's last day.
        try await cover(fixture, metric, "2024-12-01", "2025-02-01", customers: ["c-4"])
        #expect(try await statusThrough(fixture, metric, today: "2025-02-01") == "2025-01-15")
        #expect(try await reportThrough(fixture, metric) == "2025-01-15")

        // The gap filled: batch 0 is now the earliest.
        try await cover(fixture, metric, "2025-01-16", "2025-01-18", customers: ["c-3"])
        #expect(try await statusThrough(fixture, metric, today: "2025-02-01") == "2025-01-20")
        #expect(try await reportThrough(fixture, metric) == "2025-01-20")
        await fixture.close()
    }

    @Test func aConnectionWithoutCustomersIsCompleteThroughNoDay() async throws {
        let fixture = try await StoreFixture.make(customers: [])
        let metric = try await fixture.usageMetric(since: "2025-01-01")
        #expect(try await fixture.metrics.completeThrough(metric) == nil)
        #expect(try await reportThrough(fixture, metric) == nil)
        await fixture.close()
    }
}

/// Kinds and states stored as text decode strictly: an unknown value is an error, not a default.
@Suite("Stored values", .timeLimit(.minutes(5)))
struct StoredValueTests {
    /// Forms offer no gauge metric to reports that sum usage (the console's Portfolio form preselected a
    /// MAX metric, which could only end in a refusal).
    @Test func gaugeMetricsAreKnownByTitle() async throws {
        let fixture = try await StoreFixture.make()
        try await fixture.pool.query(
            "INSERT INTO billable_metrics (connection_id, id, name, aggregation_type) VALUES ($1, 'bm-seats', 'Seats', 'max')", [fixture.connection.id])
        _ = try await fixture.usageMetric()
        _ = try await fixture.metrics.create(
            title: "Peak seats", connection: fixture.connection, source: .usage(billableMetric: "bm-seats"), labelSource: .customerID,
            since: UTCDay("2026-01-01")!)
        #expect(try await MetricReadModel(pool: fixture.pool).gaugeTitles() == ["Peak seats"])
        await fixture.close()
    }

    /// A billable metric typed wrong gets the nearest names of the connection's catalog.
    @Test func anUnknownBillableMetricNamesTheNearestOnes() async throws {
        let fixture = try await StoreFixture.make()
        let error = await #expect(throws: ConnectionStore.StoreError.self) {
            try await fixture.metrics.create(
                title: "CPU", connection: fixture.connection, source: .usage(billableMetric: "CPU hour"), labelSource: .customerID,
                since: UTCDay("2026-01-01")!)
        }
        #expect(error?.description.contains(#"has no billable metric with id or name CPU hour; did you mean "CPU hours"?"#) == true, "\(String(describing: error))")
    }

    @Test func knownValuesRoundTrip() throws {
        for kind in [BusinessMetric.Kind.revenue, .usage] { #expect(try BusinessMetric.Kind(postgresText: kind.rawValue) == kind) }
        for source in LabelSource.allCases { #expect(try LabelSource(postgresText: source.rawValue) == source) }
        for basis in RevenueBasis.allCases { #expect(try RevenueBasis(postgresText: basis.rawValue) == basis) }
        for status in [ConnectionRecord.Status.active, .invalid, .paused] {
            #expect(try ConnectionRecord.Status(postgresText: status.rawValue) == status)
        }
        for kind in ImportJobKind.allCases { #expect(ImportJobKind(rawValue: kind.rawValue) == kind) }
    }

    @Test func unknownValuesAreErrorsThatNameTheValue() {
        let cases: [(String, () throws -> Void)] = [
            ("metric kind \"gauge\"", { _ = try BusinessMetric.Kind(postgresText: "gauge") }),
            ("label source \"nickname\"", { _ = try LabelSource(postgresText: "nickname") }),
            ("revenue basis \"net\"", { _ = try RevenueBasis(postgresText: "net") }),
            ("connection status \"archived\"", { _ = try ConnectionRecord.Status(postgresText: "archived") }),
        ]
        for (expected, decode) in cases {
            let error = #expect(throws: PostgresError.self) { try decode() }
            #expect(error?.description.contains("unknown \(expected)") == true, "\(String(describing: error))")
        }
        #expect(ImportJobKind(rawValue: "import_gauge") == nil)
    }
}

/// Every stored value belongs to a business metric, checked once per statement (not per row), and goes
/// when its metric goes.
@Suite("Values and their metric", .timeLimit(.minutes(2)))
struct ValueOwnershipTests {
    func insert(_ pool: PostgresConnectionPool, metric: Int64, days: [String]) async throws {
        try await pool.query(
            """
            INSERT INTO metric_values (metric_id, day, customer_id, amount)
            SELECT $1, d::date, 'c-1', 1.5 FROM unnest($2::text[]) AS d
            """, [metric, days])
    }

    func values(_ pool: PostgresConnectionPool, metric: Int64) async throws -> Int {
        try await pool.query("SELECT count(*) FROM metric_values WHERE metric_id = $1", [metric]).single().decode(at: 0)
    }

    @Test func aValueOfNoMetricIsRefused() async throws {
        let fixture = try await StoreFixture.make()
        let metric = try await fixture.usageMetric()
        try await insert(fixture.pool, metric: metric.id, days: ["2026-01-01", "2026-01-02"])
        let error = await #expect(throws: PostgresError.self) {
            try await insert(fixture.pool, metric: metric.id + 1000, days: ["2026-01-01"])
        }
        #expect(error?.sqlState == .foreignKeyViolation, "\(String(describing: error))")
        // The id was a bound value, so the message shows it redacted.
        #expect(error?.description.contains("insert into metric_values: business metric") == true, "\(String(describing: error))")
        let moved = await #expect(throws: PostgresError.self) {
            try await fixture.pool.query("UPDATE metric_values SET metric_id = metric_id + 1000")
        }
        #expect(moved?.sqlState == .foreignKeyViolation)
        #expect(try await values(fixture.pool, metric: metric.id) == 2)
        await fixture.close()
    }

    @Test func deletingAMetricOrItsConnectionDeletesItsValues() async throws {
        let fixture = try await StoreFixture.make()
        let doomed = try await fixture.usageMetric()
        let kept = try await fixture.usageMetric("Kept")
        try await insert(fixture.pool, metric: doomed.id, days: ["2026-01-01", "2026-01-02"])
        try await insert(fixture.pool, metric: kept.id, days: ["2026-01-01"])
        try await fixture.metrics.delete(doomed)
        #expect(try await values(fixture.pool, metric: doomed.id) == 0)
        #expect(try await values(fixture.pool, metric: kept.id) == 1)
        _ = try await fixture.connections.remove(fixture.connection, cascade: true)
        #expect(try await values(fixture.pool, metric: kept.id) == 0)
        await fixture.close()
    }

    /// A delete that races a page's commit waits for it, then removes the values that commit wrote.
    @Test func aDeleteWaitsForAWriteInFlightAndRemovesItsValues() async throws {
        let fixture = try await StoreFixture.make()
        let metric = try await fixture.usageMetric()
        try await fixture.pool.withConnection { writer in
            try await writer.query("BEGIN")
            try await writer.query(
                "INSERT INTO metric_values (metric_id, day, customer_id, amount) VALUES ($1, '2026-01-01', 'c-1', 2)", [metric.id])
            let deleting = Task { try await fixture.metrics.delete(metric) }
            try await waitUntil("the delete waits for the writer") {
                try await fixture.pool.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%DELETE FROM business_metrics%'"
                ).single().decode(Int.self, at: 0) == 1
            }
            try await writer.query("COMMIT")
            _ = try await deleting.value
        }
        #expect(try await values(fixture.pool, metric: metric.id) == 0)
        await fixture.close()
    }
}

/// `meterbridge status` between job completions: progress and the time left follow the jobs' checkpoints,
/// and the plan's history figure is counted now, so it reads zero once the history is in.
@Suite("Status between jobs", .timeLimit(.minutes(2)))
struct StatusProgressTests {
    /// A usage job's checkpoint as the worker saves it: the next page and the customers already reported.
    struct UsageCheckpoint: Encodable { var nextPage: String?; var seen: [String] }

    @Test func progressAndTimeLeftMoveInsideJobsAndTheBackfillEndsAtZero() async throws {
        let today = UTCDay("2026-06-30")!
        let since = UTCDay("2025-06-01")!
        let fixture = try await StoreFixture.make(customers: [("c-1", 0), ("c-2", 0), ("c-3", 0), ("c-4", 0)])
        let metric = try await fixture.usageMetric(since: since.description)
        try await ImportPlanner(queue: fixture.queue, clock: ImportClock(pinnedDay: today), logger: TestDatabase.logger).plan()
        func status() async throws -> (percent: Double, left: Int, seconds: Double?) {
            let status = try await ImportStatus.load(pool: fixture.pool, today: today)
            let row = try #require(status.metrics.first { $0.title == metric.title })
            let plan = try #require(status.connections.first?.plan)
            return (row.percentDone, plan.backfillRequests, plan.backfillSeconds)
        }
        let before = try await status()
        #expect(before.percent == 0 && before.left > 0 && (before.seconds ?? 0) > 0, "\(before)")

        // A history job has reported two of its batch's four customers.
        let claimed = try #require(try await fixture.queue.claim(queues: [ImportQueue.backfill], limit: 1, workerID: "status-tests").first)
        let args = try claimed.args(as: ImportJobArgs.self)
        try await fixture.queue.checkpoint(claimed.lease, cursor: UsageCheckpoint(nextPage: "page-2", seen: ["c-1", "c-2"]))
        let during = try await status()
        let span = Double(today.daysSinceEpoch - since.daysSinceEpoch + 1)
        #expect(abs(during.percent - 100 * 0.5 * Double(args.window.days) / span) < 1e-9, "\(during) \(args.window)")
        #expect(during.left == before.left - PageCost.job(kind: .usage, args: args) / 2, "\(during) \(before)")
        #expect(during.seconds! < before.seconds!)

        // Every day imported, as workers record it: the plan says so, whatever the planner last saved.
        try await fixture.queue.complete(claimed.lease)
        try await fixture.pool.query(
            """
            INSERT INTO import_coverage (metric_id, import_batch, window_start, window_end, customer_ids)
            VALUES ($1, 0, $2::date, $3::date, $4)
            """, [metric.id, since.description, today.adding(days: 1).description, ["c-1", "c-2", "c-3", "c-4"]])
        let after = try await status()
        #expect(after.percent == 100 && after.left == 0 && after.seconds == 0, "\(after)")
        #expect(try await ImportPlanner.savedProjections(pool: fixture.pool).first?.value.backfillRequests == before.left)
        await fixture.close()
    }
}
