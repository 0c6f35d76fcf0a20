import Foundation
public import JobQueue
public import Logging
public import Metronome
import Metrics
public import Postgres

/// Decides what to import and enqueues it, spending each connection's request budget where it counts:
/// a catalog refresh when stale; the trailing sync of every metric and customer batch when due, at an
/// interval stretched if needed to keep it within `syncBudgetShare` of the budget; and the rest of the
/// budget on history, newest windows first, in bounded waves. Queued, running and failed jobs are never
/// planned again, and unique keys make a re-plan free, so several planners may run; one leads.
public struct ImportPlanner: Sendable {
    public struct Options: Sendable {
        /// Days each sync re-imports (Metronome data changes for 34 days).
        public var lookbackDays = 35
        /// Usage windows: one page holds up to 200 daily windows of one (customer, metric) pair.
        public var usageWindowDays = 200
        /// Revenue windows: a breakdown page holds at most 35 days of one customer. One page per customer,
        /// as a usage window: every job then pages once per customer of its batch, so jobs are about
        /// equally long and a connection's capped jobs end together (a 175-day revenue job paged five
        /// times longer than the rest and, with slow answers, ended alone below the budget). Shorter
        /// windows cost no extra page: a gap of n days still takes ⌈n ÷ 35⌉ pages.
        public var revenueWindowDays = PageCost.revenueDaysPerPage
        /// Stop adding backfill once this many jobs wait.
        public var maxBacklog = 10_000
        /// Refresh each connection's catalog at least this often.
        public var catalogInterval: Duration = .seconds(86_400)
        /// Re-import the trailing `lookbackDays` this often (a day or more runs on day boundaries).
        public var syncInterval: Duration = .seconds(86_400)
        /// Days the optional hot refresh re-imports.
        public var hotDays = 2
        /// Re-import the last `hotDays` this often; nil: no hot refresh.
        public var hotInterval: Duration?
        /// Largest share of a connection's budget for the sync, hot refresh and catalog together.
        public var syncBudgetShare = 0.30
        /// Seconds a page is assumed to take (answer and commit) when capping a connection's running jobs
        /// (``ConnectionJobGroup``).
        public var pageSeconds = ConnectionJobGroup.defaultPageSeconds
        public init() {}
    }

    public let queue: JobQueue
    public let options: Options
    public let clock: ImportClock
    let logger: Logger

    public init(queue: JobQueue, options: Options = Options(), clock: ImportClock = .system, logger: Logger) {
        self.queue = queue
        self.options = options
        self.clock = clock
        self.logger = logger
    }

    /// A connection's plan in requests: what the history still needs and what the recurring refreshes
    /// cost, from the paging rules (``PageCost``).
    public struct Projection: Sendable, Equatable, Codable {
        public var connectionID: Int64
        public var connection: String
        public var requestsPerSecond: Double
        /// Requests still needed for days never imported (queued jobs included).
        public var backfillRequests: Int
        /// Requests of one sync of every metric and batch.
        public var syncRequests: Int
        /// Recurring requests (sync, hot refresh, catalog) per day at the intervals in force.
        public var syncRequestsPerDay: Double
        /// Their share of the connection's daily budget, 0…1.
        public var syncBudgetShare: Double
        public var syncIntervalSeconds: Double
        public var hotIntervalSeconds: Double?
        /// The intervals were stretched to keep the share.
        public var stretched: Bool

        /// Seconds until the backfill finishes at the budget left over by the recurring requests.
        public var backfillSeconds: Double? {
            let rate = requestsPerSecond * max(0, 1 - syncBudgetShare)
            return backfillRequests == 0 ? 0 : rate > 0 ? Double(backfillRequests) / rate : nil
        }
    }

    public struct Summary: Sendable, Equatable {
        public var catalogJobs = 0
        public var syncJobs = 0
        public var backfillJobs = 0
        /// Requests the jobs enqueued in this pass will cost.
        public var plannedRequests = 0
        public var projections: [Projection] = []
        public init() {}
    }

    /// One planning pass. With `dryRun`, computes the projections and enqueues nothing.
    @discardableResult
    public func plan(dryRun: Bool = false) async throws -> Summary {
        let today = clock.today
        var summary = Summary()
        let pool = queue.pool
        let connections = try await ConnectionStore(pool: pool, environment: [:]).all()
        let groups = Dictionary(uniqueKeysWithValues: connections.map { ($0.id, group(for: $0)) })
        if !dryRun {
            // Caps follow a changed rate at once, queued jobs or not.
            try await queue.setGroupCaps(connections.compactMap { groups[$0.id] })
            summary.catalogJobs = try await enqueueCatalogRefreshes(groups: groups)
        }

        let metrics = Dictionary(grouping: try await MetricStore(pool: pool).active(), by: \.connectionID)
        var planned = PlannedJobs()
        for state in try await ConnectionState.loadAll(connections.filter { $0.status == .active }, metrics: metrics, queue: queue) {
            summary.projections.append(plan(state, today: today, into: &planned))
        }
        guard !dryRun else { return summary }

        // The longest jobs first: a job pages one request after another, so an account whose longest job
        // started last would end with that job paging alone, below the budget when answers are slow.
        let sync = Self.longestFirst(try planned.jobs(queue: ImportQueue.sync, groups: groups))
        summary.syncJobs = try await queue.enqueue(sync.map(\.job)).count
        let room = max(0, options.maxBacklog - (try await queue.backlog(queue: ImportQueue.backfill)))
        // Newest history first within each connection, and the connections in turn, so a wave that the
        // backlog bound cuts short leaves no connection without work.
        let backfill = Self.takingTurns(try planned.jobs(queue: ImportQueue.backfill, groups: groups)).prefix(room)
        summary.backfillJobs = try await queue.enqueue(backfill.map(\.job)).count
        summary.plannedRequests = (sync + backfill).reduce(0) { $0 + $1.requests }
        try await record(summary.projections)
        if summary.syncJobs + summary.backfillJobs + summary.catalogJobs > 0 {
            logger.info(
                "planned imports",
                metadata: [
                    "plan.catalog": "\(summary.catalogJobs)", "plan.sync": "\(summary.syncJobs)",
                    "plan.backfill": "\(summary.backfillJobs)", "plan.requests": "\(summary.plannedRequests)",
                ])
        }
        return summary
    }

    /// Plans one connection's metrics into `planned`; returns its projection.
    func plan(_ state: ConnectionState, today: UTCDay, into planned: inout PlannedJobs) -> Projection {
        let now = clock.now
        let options = options
        let budget = SyncBudget(
            syncRequests: state.refreshRequests(days: options.lookbackDays),
            hotRequests: options.hotInterval == nil ? 0 : state.refreshRequests(days: options.hotDays),
            catalogRequests: state.catalogRequests, requestsPerSecond: state.requestsPerSecond, share: options.syncBudgetShare,
            syncIntervalSeconds: options.syncInterval.seconds, hotIntervalSeconds: options.hotInterval?.seconds,
            catalogIntervalSeconds: options.catalogInterval.seconds)
        let schedule = budget.schedule
        var backfillKeys = Set<String>()
        var backfillRequests = 0
        for metric in state.metrics {
            let planner = WindowPlanner(
                windowDays: metric.importSource.windowDays(options),
                lookbackDays: options.lookbackDays, hotDays: options.hotDays)
            for (batch, customers) in state.batches {
                let key = ConnectionState.Key(metric: metric.id, batch: batch)
                let covered = state.covered[key] ?? DaySet()
                let refresh: WindowPlanner.Refresh
                let lastSync = state.refreshed[key]?.sync
                let lastHot = [state.refreshed[key]?.hot, lastSync].compactMap { $0 }.max()
                if Self.isDue(last: lastSync, every: schedule.syncIntervalSeconds, now: now, today: today) {
                    refresh = .sync
                } else if let hot = schedule.hotIntervalSeconds, Self.isDue(last: lastHot, every: hot, now: now, today: today) {
                    refresh = .hot
                } else {
                    refresh = .none
                }
                let windows = planner.windows(
                    today: today, since: metric.since, covered: covered, pending: state.pending[key] ?? DaySet(), refresh: refresh)
                for window in windows {
                    let queue = window.role == .backfill ? ImportQueue.backfill : ImportQueue.sync
                    planned.add(
                        metric, window: window.range, batch: batch, customers: customers, queue: queue,
                        priority: window.role == .backfill ? 3 : 1, refresh: window.role == .backfill ? nil : window.role)
                }
                // What history still needs, whether queued or not; revenue metrics of a credit type share it.
                for window in planner.windows(today: today, since: metric.since, covered: covered, pending: DaySet(), refresh: .none) {
                    let source = metric.importSource
                    if backfillKeys.insert("\(source.sharingKey):\(batch):\(window.range)").inserted {
                        backfillRequests += source.requests(days: window.range.days, customers: customers.count)
                    }
                }
            }
        }
        return Projection(
            connectionID: state.connection.id, connection: state.connection.name, requestsPerSecond: state.requestsPerSecond,
            backfillRequests: backfillRequests, syncRequests: budget.syncRequests, syncRequestsPerDay: schedule.requestsPerDay,
            syncBudgetShare: schedule.budgetShare, syncIntervalSeconds: schedule.syncIntervalSeconds,
            hotIntervalSeconds: schedule.hotIntervalSeconds, stretched: schedule.stretched)
    }

    /// Whether a refresh last done at `last` is due. Periods of a day or more count whole UTC days, so
    /// a daily sync runs once a day whatever the time of its last run; shorter ones count seconds.
    static func isDue(last: Date?, every period: Double, now: Date, today: UTCDay) -> Bool {
        guard let last else { return true }
        if period >= 86_400 {
            return today.daysSinceEpoch - UTCDay(containing: last).daysSinceEpoch >= Int((period / 86_400).rounded(.up))
        }
        return now.timeIntervalSince(last) >= period
    }

    /// The job group of a connection's jobs, its cap sized for its rate.
    func group(for connection: ConnectionRecord) -> JobGroup {
        ConnectionJobGroup.group(
            connectionID: connection.id, requestsPerSecond: NSDecimalNumber(decimal: connection.rateLimit).doubleValue,
            pageSeconds: options.pageSeconds)
    }

    /// `jobs` with the most requests first; equal ones keep their order.
    static func longestFirst(_ jobs: [PlannedJobs.Planned]) -> [PlannedJobs.Planned] {
        jobs.enumerated().sorted { ($0.element.requests, $1.offset) > ($1.element.requests, $0.offset) }.map(\.element)
    }

    /// Each connection's jobs newest window first (of a window, the longest job first), the connections
    /// taking turns.
    static func takingTurns(_ jobs: [PlannedJobs.Planned]) -> [PlannedJobs.Planned] {
        var byConnection: [Int64: [PlannedJobs.Planned]] = [:]
        var order: [Int64] = []
        for job in jobs {
            if byConnection[job.connectionID] == nil { order.append(job.connectionID) }
            byConnection[job.connectionID, default: []].append(job)
        }
        let lists = order.map { id in
            // Stable: jobs with the same end and cost keep the planner's order.
            byConnection[id]!.enumerated().sorted {
                ($0.element.windowEnd, $0.element.requests, $1.offset) > ($1.element.windowEnd, $1.element.requests, $0.offset)
            }.map(\.element)
        }
        var result: [PlannedJobs.Planned] = []
        result.reserveCapacity(jobs.count)
        var index = 0
        while result.count < jobs.count {
            for list in lists where index < list.count { result.append(list[index]) }
            index += 1
        }
        return result
    }

    private func enqueueCatalogRefreshes(groups: [Int64: JobGroup]) async throws -> Int {
        let stale = try await ConnectionStore(pool: queue.pool, environment: [:])
            .activeWithStaleCatalog(olderThan: options.catalogInterval)
        var added = 0
        for id in stale {
            let job = try NewJob(
                kind: ImportJobKind.catalog.rawValue, args: CatalogJobArgs(connectionID: id), queue: ImportQueue.sync, priority: 0,
                uniqueKey: "catalog:\(id)", group: groups[id])
            if case .inserted = try await queue.enqueue(job) { added += 1 }
        }
        return added
    }

    /// Saves the projections for `meterbridge status`, publishes them as gauges, and says when a sync
    /// was stretched to fit its budget share.
    private func record(_ projections: [Projection]) async throws {
        for projection in projections {
            try await queue.pool.query(
                """
                INSERT INTO plan_projections (connection_id, backfill_requests, sync_requests_per_day, sync_budget_share,
                    sync_interval_seconds, hot_interval_seconds, stretched, requests_per_second, sync_requests, planned_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
                ON CONFLICT (connection_id) DO UPDATE SET backfill_requests = EXCLUDED.backfill_requests,
                    sync_requests = EXCLUDED.sync_requests,
                    sync_requests_per_day = EXCLUDED.sync_requests_per_day, sync_budget_share = EXCLUDED.sync_budget_share,
                    sync_interval_seconds = EXCLUDED.sync_interval_seconds, hot_interval_seconds = EXCLUDED.hot_interval_seconds,
                    stretched = EXCLUDED.stretched, requests_per_second = EXCLUDED.requests_per_second, planned_at = now()
                """,
                [
                    projection.connectionID, projection.backfillRequests, projection.syncRequestsPerDay, projection.syncBudgetShare,
                    projection.syncIntervalSeconds, projection.hotIntervalSeconds, projection.stretched, projection.requestsPerSecond,
                    projection.syncRequests,
                ])
            let dimensions = [("connection", projection.connection)]
            Gauge(label: "meterbridge_backfill_requests", dimensions: dimensions).record(projection.backfillRequests)
            Gauge(label: "meterbridge_sync_requests_per_day", dimensions: dimensions).record(projection.syncRequestsPerDay)
            Gauge(label: "meterbridge_sync_budget_share", dimensions: dimensions).record(projection.syncBudgetShare)
            Gauge(label: "meterbridge_sync_interval_seconds", dimensions: dimensions).record(projection.syncIntervalSeconds)
            if projection.stretched {
                logger.warning(
                    "sync stretched to fit its budget share",
                    metadata: [
                        "connection.name": "\(projection.connection)",
                        "sync.interval_seconds": "\(projection.syncIntervalSeconds)",
                        "sync.requests_per_day": "\(Int(projection.syncRequestsPerDay.rounded()))",
                        "sync.budget_share": "\(String(format: "%.3f", projection.syncBudgetShare))",
                    ])
            }
        }
    }

    /// The latest projections the planner saved, by connection id.
    public static func savedProjections(pool: PostgresConnectionPool) async throws -> [Int64: Projection] {
        let rows = try await pool.query(
            """
            SELECT p.connection_id, c.name AS connection, p.requests_per_second, p.backfill_requests, p.sync_requests_per_day,
                p.sync_budget_share, p.sync_interval_seconds, p.hot_interval_seconds, p.stretched, p.sync_requests
            FROM plan_projections p JOIN connections c ON c.id = p.connection_id
            """)
        var result: [Int64: Projection] = [:]
        for row in rows {
            let projection = Projection(
                connectionID: try row.decode(column: "connection_id"), connection: try row.decode(column: "connection"),
                requestsPerSecond: try row.decode(column: "requests_per_second"),
                backfillRequests: try row.decode(column: "backfill_requests"), syncRequests: try row.decode(column: "sync_requests"),
                syncRequestsPerDay: try row.decode(column: "sync_requests_per_day"),
                syncBudgetShare: try row.decode(column: "sync_budget_share"),
                syncIntervalSeconds: try row.decode(column: "sync_interval_seconds"),
                hotIntervalSeconds: try row.decode(column: "hot_interval_seconds"), stretched: try row.decode(column: "stretched"))
            result[projection.connectionID] = projection
        }
        return result
    }

    /// Enqueues `range` of `metrics` again, for every customer batch, in the backfill queue below the
    /// daily sync. Windows sit on each metric's planning grid, so rerunning while a reimport is in
    /// progress adds nothing (the unfinished jobs hold their unique keys). Returns the jobs added.
    @discardableResult
    public func reimport(metrics: [BusinessMetric], range: DayRange, today: UTCDay? = nil) async throws -> Int {
        let today = today ?? clock.today
        var planned = PlannedJobs()
        let connections = try await ConnectionStore(pool: queue.pool, environment: [:]).all()
        let groups = Dictionary(uniqueKeysWithValues: connections.map { ($0.id, group(for: $0)) })
        for metric in metrics {
            let end = min(range.end, today.adding(days: 1))
            let start = max(range.start, metric.since)
            guard start < end else { continue }
            let windowDays = metric.importSource.windowDays(options)
            let batches = try await ConnectionState.customerBatches(connectionID: metric.connectionID, pool: queue.pool)
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
        return try await queue.enqueue(try planned.jobs(queue: ImportQueue.backfill, groups: groups).map(\.job)).count
    }

    /// Jobs being planned. Revenue metrics of one credit type that need the same window and batch
    /// share one job, so their common invoice pages are fetched once.
    struct PlannedJobs {
        private var order: [String] = []
        private var byKey: [String: (args: ImportJobArgs, kind: ImportJobKind, queue: String, priority: Int16)] = [:]

        mutating func add(
            _ metric: BusinessMetric, window: DayRange, batch: Int, customers: [String], queue: String, priority: Int16,
            refresh: WindowPlanner.Role? = nil
        ) {
            var args = ImportJobArgs(
                connectionID: metric.connectionID, metricIDs: [metric.id],
                creditTypeID: metric.importSource.creditTypeID, window: window, batch: batch,
                customerIDs: customers, refresh: refresh)
            let key = args.uniqueKey
            if let existing = byKey[key] {
                args.metricIDs = existing.args.metricIDs + [metric.id]
                byKey[key]?.args = args
                return
            }
            order.append(key)
            byKey[key] = (args, metric.importSource.jobKind, queue, priority)
        }

        struct Planned {
            var job: NewJob
            var connectionID: Int64
            var windowEnd: UTCDay
            var requests: Int
        }

        /// The jobs of `queue`, each in its connection's group from `groups` (none when missing).
        func jobs(queue: String, groups: [Int64: JobGroup] = [:]) throws -> [Planned] {
            try order.compactMap { byKey[$0] }.filter { $0.queue == queue }.map { planned in
                Planned(
                    job: try NewJob(
                        kind: planned.kind.rawValue, args: planned.args, queue: planned.queue, priority: planned.priority,
                        uniqueKey: planned.args.uniqueKey, group: groups[planned.args.connectionID]),
                    connectionID: planned.args.connectionID, windowEnd: planned.args.window.end,
                    requests: PageCost.job(kind: planned.kind, args: planned.args))
            }
        }
    }
}
