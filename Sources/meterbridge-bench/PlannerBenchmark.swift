import ArgumentParser
import Foundation
import Importer
import JobQueue
import Logging
import Metronome
import Postgres

/// One planning cycle of a large account whose history is fully covered, the planner's everyday state.
struct PlannerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planner",
        abstract: "Time and peak memory of one planning cycle for a large, fully covered account.")

    @Option(help: "Customers of the connection.") var customers = 10_000
    @Option(help: "Usage metrics (one revenue metric is added).") var metrics = 9
    @Option(help: "Days of history, all covered.") var days = 1_095
    @Option(help: "Customers per import batch.") var batchSize = 25
    @Option(help: "Coverage rows per (metric, batch): one per 200-day window, as an unmerged history has.")
    var rowsPerWindow = true

    func run() async throws {
        let bench = try await Bench.start()
        let configuration = try await bench.freshSchema()
        let pool = PostgresConnectionPool(configuration: configuration, size: 2, logger: bench.logger)
        let today = UTCDay("2026-11-29")!
        let since = today.adding(days: 1 - days)
        let seeded = ContinuousClock.now
        let cipher = try TokenCipher(base64Key: Data(repeating: 1, count: 32).base64EncodedString())
        let connection = try await ConnectionStore(pool: pool, cipher: cipher).add(
            name: "large", baseURL: "http://127.0.0.1:9", token: "bench", rateLimit: 8, customerBatchSize: batchSize)
        try await pool.query(
            """
            INSERT INTO customers (connection_id, id, name, import_batch)
            SELECT $1, 'customer-' || lpad(n::text, 6, '0'), 'Customer ' || n, (n - 1) / $3 FROM generate_series(1, $2) n
            """, [connection.id, customers, batchSize])
        try await pool.query(
            """
            INSERT INTO business_metrics (title, connection_id, kind, billable_metric_id, label_source, since)
            SELECT 'usage ' || n, $1, 'usage', 'metric-' || n, 'customer_name', $3::date FROM generate_series(1, $2) n
            """, [connection.id, metrics, since.description])
        try await pool.query(
            """
            INSERT INTO business_metrics (title, connection_id, kind, credit_type_id, credit_type_name, revenue_basis, label_source, since)
            VALUES ('revenue', $1, 'revenue', 'usd', 'USD (cents)', 'invoice_total', 'customer_name', $2::date)
            """, [connection.id, since.description])
        // Coverage of every window of every (metric, batch), and a sync done today.
        try await pool.query(
            """
            WITH batches AS (
                SELECT import_batch, array_agg(id ORDER BY id) AS ids FROM customers WHERE connection_id = $1 GROUP BY 1),
            windows AS (
                SELECT greatest($2::date, $4::date + 1 - (k + 1) * $3::int) AS s, $4::date + 1 - k * $3::int AS e
                FROM generate_series(0, ($4::date + 1 - $2::date - 1) / $3::int) k)
            INSERT INTO import_coverage (metric_id, import_batch, window_start, window_end, customer_ids)
            SELECT m.id, b.import_batch, w.s, w.e, b.ids FROM business_metrics m, batches b, windows w
            """, [connection.id, since.description, rowsPerWindow ? 200 : days, today.description])
        try await pool.query(
            """
            INSERT INTO import_refreshes (metric_id, import_batch, scope, refreshed_at)
            SELECT m.id, b, 'sync', $3::date + time '01:00' FROM business_metrics m, generate_series(0, ($1 - 1) / $2) b
            """, [customers, batchSize, today.description])
        try await pool.query("ANALYZE")
        let coverageRows = try await pool.query("SELECT count(*) FROM import_coverage").single().decode(Int.self, at: 0)
        print(String(format: "seeded in %.1f s: %d customers, %d metrics, %d days, %d coverage rows",
            (ContinuousClock.now - seeded).seconds, customers, metrics + 1, days, coverageRows))

        let planner = ImportPlanner(queue: JobQueue(pool: pool, logger: bench.logger), clock: ImportClock(pinnedDay: today), logger: bench.logger)
        var timings: [Double] = []
        var summary = ImportPlanner.Summary()
        for _ in 0..<3 {
            let started = ContinuousClock.now
            summary = try await planner.plan()
            timings.append((ContinuousClock.now - started).seconds)
        }
        print(String(format: "planner cycle, nothing due: %@ s; planned %d jobs",
            timings.map { String(format: "%.2f", $0) }.joined(separator: ", "), summary.syncJobs + summary.backfillJobs))
        // The next day every (metric, batch) is due for its sync: the cycle also enqueues them all.
        let nextDay = ImportPlanner(
            queue: JobQueue(pool: pool, logger: bench.logger), clock: ImportClock(pinnedDay: today.adding(days: 1)), logger: bench.logger)
        let started = ContinuousClock.now
        let due = try await nextDay.plan()
        let dueSeconds = (ContinuousClock.now - started).seconds
        let peak = Double(Bench.peakResidentBytes()) / 1_048_576
        print(String(format: "planner cycle, every sync due: %.2f s; planned %d sync jobs (%d requests)", dueSeconds, due.syncJobs,
            due.plannedRequests))
        print(String(format: "peak RSS %.0f MB", peak))
        print(
            "RESULT planner_cycle_seconds=\(String(format: "%.3f", max(dueSeconds, timings.max()!))) "
                + "planner_peak_rss_mb=\(String(format: "%.0f", peak)) customers=\(customers) metrics=\(metrics + 1) days=\(days) "
                + "coverage_rows=\(coverageRows)")
        await pool.close()
    }
}
