import Importer
public import JobQueue
public import Logging
public import Metronome
public import Postgres

/// What operators do with import jobs: list and inspect them, retry failed ones, cancel, reimport a
/// range. The CLI, the console and the MCP server call these and only word the answers.
public struct JobOperations: Sendable {
    public let pool: PostgresConnectionPool
    public let catalog: Catalog
    let logger: Logger

    public init(pool: PostgresConnectionPool, logger: Logger) {
        self.pool = pool
        self.catalog = Catalog(pool: pool)
        self.logger = logger
    }

    var queue: JobQueue { JobQueue(pool: pool, logger: logger) }

    func resolved(_ selection: JobSelection) async throws -> JobQueue.Filter {
        let queue = queue
        return try await selection.resolved(in: catalog) { try await queue.admin.counts().map(\.queue) }
    }

    /// The selected jobs, newest first, at most `limit`.
    public func list(_ selection: JobSelection, limit: Int) async throws -> [JobRecord] {
        try await queue.admin.list(try await resolved(selection), limit: limit)
    }

    /// One job, or ``UseCaseError/noSuchJob(_:)``.
    public func job(id: Int64) async throws -> JobRecord {
        guard let job = try await queue.admin.job(id: id) else { throw UseCaseError.noSuchJob(id) }
        return job
    }

    /// Requeues the selected discarded or cancelled jobs so they really run again; with `dryRun`, only
    /// says which. Named ids that do not exist are refused before anything changes.
    public func retry(_ selection: JobSelection, dryRun: Bool = false) async throws -> [Int64] {
        let filter = try await resolved(selection)
        let preview = try await queue.admin.requeue(filter, dryRun: true)
        for id in Set(selection.ids).subtracting(preview).sorted() where try await queue.admin.job(id: id) == nil {
            throw UseCaseError.noSuchJob(id)
        }
        guard !dryRun, !preview.isEmpty else { return preview }
        return try await queue.admin.requeue(filter)
    }

    /// The answer to a retry of exactly the jobs an operator saw counted.
    public enum ConfirmedRetry: Sendable, Equatable {
        case requeued([Int64])
        /// The selection now matches `now` jobs, not the count confirmed: nothing was requeued.
        case changed(now: Int)
    }

    /// Requeues the selected jobs if they are still the `expected` many the operator confirmed.
    public func retry(_ selection: JobSelection, confirmedCount expected: Int) async throws -> ConfirmedRetry {
        var filter = try await resolved(selection)
        let preview = try await queue.admin.requeue(filter, dryRun: true)
        guard preview.count == expected else { return .changed(now: preview.count) }
        guard !preview.isEmpty else { return .requeued([]) }
        filter.ids = preview
        return .requeued(try await queue.admin.requeue(filter))
    }

    /// Cancels the selected unfinished jobs; with `dryRun`, only says which. Named ids that are not
    /// unfinished jobs are refused before anything changes.
    public func cancel(_ selection: JobSelection, dryRun: Bool = false) async throws -> [Int64] {
        let filter = try await resolved(selection)
        let preview = try await queue.admin.cancel(filter, dryRun: true)
        if let missing = Set(selection.ids).subtracting(preview).sorted().first {
            guard try await queue.admin.job(id: missing) != nil else { throw UseCaseError.noSuchJob(missing) }
            throw UseCaseError.invalid(.ids, reason: "job \(missing) has already finished: nothing was cancelled")
        }
        guard !dryRun, !preview.isEmpty else { return preview }
        return try await queue.admin.cancel(filter)
    }

    /// A reimport as enqueued.
    public struct Reimport: Sendable, Equatable {
        public var metrics: [String]
        public var from: UTCDay
        public var to: UTCDay
        public var jobsEnqueued: Int
    }

    /// What to import again: one metric, or every metric of a connection.
    public enum ReimportTarget: Sendable, Equatable {
        case metric(title: String)
        case connection(name: String)
    }

    /// Enqueues the history of `target` from `from` (default: the earliest `since`) through `to`
    /// (inclusive; default: today) again, below the daily sync. Safe to repeat.
    public func reimport(_ target: ReimportTarget, from: UTCDay?, to: UTCDay?, today: UTCDay) async throws -> Reimport {
        try UseCaseError.requireOrdered(from: from, to: to)
        let metrics: [BusinessMetric]
        switch target {
        case .metric(let title):
            metrics = [try await catalog.metric(titled: title)]
        case .connection(let name):
            let connection = try await catalog.connection(named: name)
            metrics = try await MetricStore(pool: pool).all().filter { $0.connectionID == connection.id }
        }
        let first = from ?? metrics.map(\.since).min() ?? today
        let last = to ?? today
        try UseCaseError.requireOrdered(from: first, to: last)
        guard last <= today else { throw UseCaseError.invalid(.to, reason: "\(last) is in the future (today is \(today))") }
        let planner = ImportPlanner(queue: queue, logger: logger)
        let added = try await planner.reimport(metrics: metrics, range: DayRange(start: first, end: last.adding(days: 1)), today: today)
        logger.notice(
            "reimport enqueued", metadata: ["metrics": "\(metrics.map(\.title))", "jobs.count": "\(added)", "from": "\(first)", "to": "\(last)"])
        return Reimport(metrics: metrics.map(\.title), from: first, to: last, jobsEnqueued: added)
    }
}
