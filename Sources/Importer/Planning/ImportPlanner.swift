public import Foundation
public import JobQueue
public import Logging
public import Metronome
import Postgres

/// Decides what to import and enqueues it: a catalog refresh per connection, then for every active
/// metric and customer batch the trailing sync window (every cycle) and the uncovered backfill windows
/// (in bounded waves). Unique keys make every re-plan free, so several planners may run; one leads.
public struct ImportPlanner: Sendable {
    public struct Options: Sendable {
        /// Days re-imported every cycle (Metronome data changes for 34 days).
        public var lookbackDays = 35
        /// Usage windows: one page holds up to 200 daily windows of one (customer, metric) pair.
        public var usageWindowDays = 200
        /// Revenue windows: a breakdown page holds at most 35 days, so windows are whole pages.
        public var revenueWindowDays = 175
        /// Stop adding backfill once this many jobs wait.
        public var maxBacklog = 10_000
        /// Refresh each connection's catalog at least this often.
        public var catalogIntervalSeconds: Double = 86_400
        /// Re-import the sync window at most this often per metric and batch.
        public var syncIntervalSeconds: Double = 3_600
        public init() {}
    }

    public let queue: JobQueue
    public let options: Options
    let logger: Logger

    public init(queue: JobQueue, options: Options = Options(), logger: Logger) {
        self.queue = queue
        self.options = options
        self.logger = logger
    }

    public struct Summary: Sendable, Equatable {
        public var catalogJobs = 0
        public var syncJobs = 0
        public var backfillJobs = 0
        public init() {}
    }

    /// One planning pass. `today` is the current UTC day.
    @discardableResult
    public func plan(today: UTCDay = UTCDay(containing: Date())) async throws -> Summary {
        var summary = Summary()
        let pool = queue.pool
        let options = options
        // Catalog refreshes for connections never synced or synced too long ago.
        let stale = try await pool.query(
            """
            SELECT id FROM connections WHERE status = 'active'
              AND (catalog_synced_at IS NULL OR catalog_synced_at < now() - make_interval(secs => $1::float8))
            """, [options.catalogIntervalSeconds]
        ).map { try $0.decode(Int64.self, at: 0) }
        for id in stale {
            let job = try NewJob(
                kind: ImportJobKind.catalog, args: CatalogJobArgs(connectionID: id), queue: ImportQueue.sync, priority: 0,
                uniqueKey: "catalog:\(id)")
            if case .inserted = try await queue.enqueue(job) { summary.catalogJobs += 1 }
        }

        let metrics = try await MetricStore(pool: pool).active()
        let backlog = try await pool.query(
            "SELECT count(*) FROM jobs WHERE state IN ('available', 'retryable') AND queue = $1", [ImportQueue.backfill]
        ).single().decode(Int.self, at: 0)
        var planned = PlannedJobs()
        for metric in metrics {
            let batches = try await customerBatches(connectionID: metric.connectionID)
            let coverage = try await coverage(metricID: metric.id)
            let planner = WindowPlanner(
                windowDays: metric.kind == .usage ? options.usageWindowDays : options.revenueWindowDays,
                lookbackDays: options.lookbackDays)
            for (batch, customers) in batches {
                let covered = coverage.covered(batch: customers, freshAfter: nil)
                if let sync = planner.syncWindow(today: today, since: metric.since) {
                    let recent = coverage.covered(batch: customers, freshAfter: Date().addingTimeInterval(-options.syncIntervalSeconds))
                    if !recent.missing(in: sync).isEmpty {
                        planned.add(metric, window: sync, batch: batch, customers: customers, queue: ImportQueue.sync, priority: 1)
                    }
                }
                for window in planner.backfillWindows(today: today, since: metric.since, covered: covered) {
                    planned.add(metric, window: window, batch: batch, customers: customers, queue: ImportQueue.backfill, priority: 3)
                }
            }
        }
        summary.syncJobs += try await queue.enqueue(try planned.jobs(queue: ImportQueue.sync)).count
        let room = max(0, options.maxBacklog - backlog)
        summary.backfillJobs += try await queue.enqueue(Array(try planned.jobs(queue: ImportQueue.backfill).prefix(room))).count
        if summary != Summary() {
            logger.info(
                "planned imports",
                metadata: ["plan.catalog": "\(summary.catalogJobs)", "plan.sync": "\(summary.syncJobs)",
                    "plan.backfill": "\(summary.backfillJobs)"])
        }
        return summary
    }

    /// Enqueues `range` of `metrics` again, for every customer batch, in the backfill queue below the
    /// daily sync. Windows sit on each metric's planning grid, so rerunning while a reimport is in
    /// progress adds nothing (the unfinished jobs hold their unique keys). Returns the jobs added.
    @discardableResult
    public func reimport(metrics: [BusinessMetric], range: DayRange, today: UTCDay = UTCDay(containing: Date())) async throws
        -> Int
    {
        var planned = PlannedJobs()
        for metric in metrics {
            let end = min(range.end, today.adding(days: 1))
            let start = max(range.start, metric.since)
            guard start < end else { continue }
            let windowDays = metric.kind == .usage ? options.usageWindowDays : options.revenueWindowDays
            let batches = try await customerBatches(connectionID: metric.connectionID)
            // Grid cells anchored at `since`, clipped to the range.
            var cellStart = metric.since.adding(days: (start.daysSinceEpoch - metric.since.daysSinceEpoch) / windowDays * windowDays)
            while cellStart < end {
                let cellEnd = cellStart.adding(days: windowDays)
                let window = DayRange(start: max(cellStart, start), end: min(cellEnd, end))
                for (batch, customers) in batches {
                    planned.add(metric, window: window, batch: batch, customers: customers, queue: ImportQueue.backfill, priority: 4)
                }
                cellStart = cellEnd
            }
        }
        return try await queue.enqueue(try planned.jobs(queue: ImportQueue.backfill)).count
    }

    /// Jobs being planned. Revenue metrics of one credit type that need the same window and batch
    /// share one job, so their common invoice pages are fetched once.
    struct PlannedJobs {
        private var order: [String] = []
        private var byKey: [String: (args: ImportJobArgs, kind: String, queue: String, priority: Int16)] = [:]

        mutating func add(
            _ metric: BusinessMetric, window: DayRange, batch: Int, customers: [String], queue: String, priority: Int16
        ) {
            var args = ImportJobArgs(
                connectionID: metric.connectionID, metricIDs: [metric.id],
                creditTypeID: metric.kind == .revenue ? metric.creditTypeID : nil, window: window, batch: batch,
                customerIDs: customers)
            let key = args.uniqueKey
            if let existing = byKey[key] {
                args.metricIDs = existing.args.metricIDs + [metric.id]
                byKey[key]?.args = args
                return
            }
            order.append(key)
            byKey[key] = (args, metric.kind == .usage ? ImportJobKind.usage : ImportJobKind.revenue, queue, priority)
        }

        func jobs(queue: String) throws -> [NewJob] {
            try order.compactMap { byKey[$0] }.filter { $0.queue == queue }.map { planned in
                try NewJob(
                    kind: planned.kind, args: planned.args, queue: planned.queue, priority: planned.priority,
                    uniqueKey: planned.args.uniqueKey)
            }
        }
    }

    private func customerBatches(connectionID: Int64) async throws -> [(Int, [String])] {
        let rows = try await queue.pool.query(
            """
            SELECT import_batch, array_agg(id ORDER BY id) FROM customers WHERE connection_id = $1
            GROUP BY import_batch ORDER BY import_batch
            """, [connectionID])
        return try rows.map { (try $0.decode(Int.self, at: 0), try $0.decode([String].self, at: 1)) }
    }

    struct Coverage {
        var rows: [(range: DayRange, customers: Set<String>, importedAt: Date)]

        /// Days imported for every customer of the batch (and, with `freshAfter`, recently).
        func covered(batch: [String], freshAfter: Date?) -> DaySet {
            DaySet(
                rows.filter { row in
                    batch.allSatisfy(row.customers.contains) && freshAfter.map { row.importedAt >= $0 } ?? true
                }.map(\.range))
        }
    }

    private func coverage(metricID: Int64) async throws -> Coverage {
        let rows = try await queue.pool.query(
            "SELECT window_start::text, window_end::text, customer_ids, imported_at FROM import_coverage WHERE metric_id = $1",
            [metricID])
        return Coverage(
            rows: try rows.compactMap { row in
                guard let start = UTCDay(try row.decode(String.self, at: 0)), let end = UTCDay(try row.decode(String.self, at: 1)),
                    start < end
                else { return nil }
                return (DayRange(start: start, end: end), Set(try row.decode([String].self, at: 2)), try row.decode(Date.self, at: 3))
            })
    }
}
