public import Foundation
import JobQueue
import Logging
public import Metronome
public import Postgres

/// What `meterbridge status` shows: per connection its health and measured request rate, per metric
/// its completeness, jobs, progress, and the planner's projection: what the backfill still needs, when it
/// finishes, and what the sync costs.
public struct ImportStatus: Sendable, Codable {
    public struct Connection: Sendable, Codable {
        public var name: String
        public var status: String
        public var rateLimit: Decimal
        /// Requests per second over the last half minute or so, across all workers.
        public var currentRate: Double
        public var requests: Int
        public var rateLimited: Int
        public var lastError: String?
        /// The planner's latest projection (nil until a planner has run).
        public var plan: Plan?

        /// The measured rate's share of the budget.
        public var budgetUse: Double {
            let budget = NSDecimalNumber(decimal: rateLimit).doubleValue
            return budget > 0 ? currentRate / budget : 0
        }
    }

    /// Every connection together: requests left, the measured rate against the summed budget of the
    /// active connections, and when the last backfill is done.
    public struct Total: Sendable, Codable {
        public var connections: Int
        public var activeConnections: Int
        /// The active connections' budgets, requests/s.
        public var budget: Double
        public var currentRate: Double
        public var budgetUse: Double
        public var requestsLeft: Int
        /// When the slowest connection's backfill is done, from the planner's projections (nil: unknown
        /// or never).
        public var etaSeconds: Double?
        public var rateLimited: Int
    }

    /// What the history still costs and what the recurring refreshes take, from the planner.
    public struct Plan: Sendable, Codable {
        public var backfillRequests: Int
        /// Seconds until the backfill is done at the budget the refreshes leave.
        public var backfillSeconds: Double?
        public var syncRequestsPerDay: Double
        /// Share of the connection's daily budget, 0…1.
        public var syncBudgetShare: Double
        public var syncIntervalSeconds: Double
        public var hotIntervalSeconds: Double?
        /// The intervals were stretched to keep the sync within its budget share.
        public var stretched: Bool

        public init(_ projection: ImportPlanner.Projection) {
            backfillRequests = projection.backfillRequests
            backfillSeconds = projection.backfillSeconds
            syncRequestsPerDay = projection.syncRequestsPerDay
            syncBudgetShare = projection.syncBudgetShare
            syncIntervalSeconds = projection.syncIntervalSeconds
            hotIntervalSeconds = projection.hotIntervalSeconds
            stretched = projection.stretched
        }
    }

    /// How far a metric is imported.
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Not complete through any day, or behind today with nothing queued (the planner will add it).
        case pending
        /// Jobs are queued or running and some days are complete.
        case importing
        /// Complete through yesterday, the last day that is over (a sync keeps today's partial day coming).
        case ready
        /// A job failed for good; an operator retries it (`meterbridge jobs retry --failed`).
        case failed
    }

    public struct Metric: Sendable, Codable {
        public var title: String
        public var connection: String
        public var kind: String
        public var state: State
        public var completeThrough: String?
        public var rows: Int
        public var jobs: [String: Int]
        /// Share of the (day, customer batch) cells from `since` to today imported, 0…100.
        public var percentDone: Double
        /// Seconds until the connection's backfill finishes, from the planner's projection (nil when the
        /// metric is complete or no planner has run).
        public var etaSeconds: Double?
        public var newestErrors: [String]
    }

    public var connections: [Connection]
    public var total: Total
    public var metrics: [Metric]

    /// With `plans`, each connection's plan is the planner's last projection with the history still to
    /// import counted now (days never imported, less what unfinished jobs have done), so the requests left
    /// and the time left move as the import does, and read zero once it is done.
    public static func load(pool: PostgresConnectionPool, today: UTCDay = ImportClock.system.today, plans: Bool = true)
        async throws -> ImportStatus
    {
        let logger = Logger(label: "meterbridge.status")
        let queue = JobQueue(pool: pool, logger: logger)
        let progress = ImportProgress(try await queue.admin.checkpointed())
        var projections = plans ? try await ImportPlanner.savedProjections(pool: pool) : [:]
        if !projections.isEmpty {
            // The history still to import, counted from the coverage as it is now (what `meterbridge plan` shows).
            let live = try await ImportPlanner(queue: queue, clock: ImportClock(pinnedDay: today), logger: logger)
                .plan(dryRun: true).projections
            for projection in live where projections[projection.connectionID] != nil {
                projections[projection.connectionID]?.backfillRequests = max(
                    0, projection.backfillRequests - (progress.backfillRequestsDone[projection.connectionID] ?? 0))
            }
        }
        let connectionRows = try await pool.query(
            """
            SELECT c.id, c.name, c.status, c.rate_limit, c.last_error, coalesce(r.requests, 0), coalesce(r.rate_limited, 0),
                CASE WHEN r.connection_id IS NULL OR now() - r.window_started_at > interval '60 seconds' THEN 0
                     WHEN now() - r.window_started_at >= interval '5 seconds'
                         THEN r.window_requests / extract(epoch FROM now() - r.window_started_at)::float8
                     ELSE coalesce(r.previous_rate, 0) END
            FROM connections c LEFT JOIN rate_limits r ON r.connection_id = c.id ORDER BY c.name
            """)
        var connections: [Connection] = []
        var nameByID: [Int64: String] = [:]
        for row in connectionRows {
            let id: Int64 = try row.decode(at: 0)
            let rate: Double = try row.decode(at: 7)
            nameByID[id] = try row.decode(at: 1)
            connections.append(
                Connection(
                    name: try row.decode(at: 1), status: try row.decode(at: 2), rateLimit: try row.decode(at: 3),
                    currentRate: rate, requests: try row.decode(at: 5), rateLimited: try row.decode(at: 6),
                    lastError: try row.decode(at: 4),
                    plan: projections[id].map(Plan.init)))
        }

        // Each read covers every metric at once, so the status costs a fixed handful of statements
        // however many connections and metrics there are.
        let store = MetricStore(pool: pool)
        let jobsByMetric = try await queue.admin.stateCounts(byArgsElement: ImportJobArgs.metricIDsKey)
        let errorsByMetric = try await queue.admin.newestErrors(byArgsElement: ImportJobArgs.metricIDsKey, limit: 3)
        let valueCounts = try await store.valueCounts()
        let coverage = try await store.coverageByBatch()
        let completeThrough = try await store.completeThroughAll()
        var result: [Metric] = []
        for metric in try await store.all() {
            let jobs = Dictionary(uniqueKeysWithValues: (jobsByMetric[String(metric.id)] ?? [:]).map { ($0.key.rawValue, $0.value) })
            let rows = valueCounts[metric.id] ?? 0
            let through = completeThrough[metric.id]
            let percent = Self.percentDone(metric, batches: coverage[metric.id] ?? [:], progress: progress, today: today)
            let errors = (errorsByMetric[String(metric.id)] ?? []).map { "\($0.at): \($0.error)" }
            let pending = (jobs["available"] ?? 0) + (jobs["running"] ?? 0) + (jobs["retryable"] ?? 0)
            let state: State =
                (jobs["discarded"] ?? 0) > 0 ? .failed
                : pending > 0 ? (through == nil ? .pending : .importing)
                : (through.map { $0 >= today.adding(days: -1) } ?? false) ? .ready : .pending
            result.append(
                Metric(
                    title: metric.title, connection: nameByID[metric.connectionID] ?? "?", kind: metric.kind.rawValue,
                    state: state, completeThrough: through?.description, rows: rows, jobs: jobs, percentDone: percent,
                    etaSeconds: state == .ready ? nil : projections[metric.connectionID]?.backfillSeconds.flatMap { $0 > 0 ? $0 : nil },
                    newestErrors: errors))
        }
        let active = connections.filter { $0.status == "active" }
        let budget = active.reduce(0) { $0 + NSDecimalNumber(decimal: $1.rateLimit).doubleValue }
        let rate = connections.reduce(0) { $0 + $1.currentRate }
        let plans = active.map(\.plan)
        let total = Total(
            connections: connections.count, activeConnections: active.count, budget: budget, currentRate: rate,
            budgetUse: budget > 0 ? rate / budget : 0, requestsLeft: active.reduce(0) { $0 + ($1.plan?.backfillRequests ?? 0) },
            etaSeconds: plans.contains { $0?.backfillSeconds == nil } ? nil : plans.compactMap { $0?.backfillSeconds }.max() ?? 0,
            rateLimited: connections.reduce(0) { $0 + $1.rateLimited })
        return ImportStatus(connections: connections, total: total, metrics: result)
    }

    /// The share of (day, batch) cells from `since` through today that the batches' windows cover, in
    /// percent, counting the part of each unfinished job's window its checkpoint says is done.
    static func percentDone(_ metric: BusinessMetric, batches: [Int: DaySet], progress: ImportProgress, today: UTCDay) -> Double {
        guard !batches.isEmpty, metric.since <= today else { return 0 }
        let span = DayRange(start: metric.since, end: today.adding(days: 1))
        let done = batches.values.reduce(0) { $0 + span.days - $1.missing(in: span).reduce(0) { $0 + $1.days } }
        let partial = progress.partialCells(metric: metric.id, coverage: batches, span: span)
        return min(100, 100 * (Double(done) + partial) / Double(span.days * batches.count))
    }
}
