import Backoff
public import AsyncHTTPClient
import Foundation
import Metrics
public import JobQueue
public import Logging
import Metronome
public import Postgres

/// Runs catalog and import jobs against Metronome.
///
/// Every page commits in one fenced transaction with the job's cursor checkpoint, and the last page
/// also commits the coverage record and the job's completion, so a crash re-fetches at most one page and
/// a worker whose lease was lost can commit nothing. All requests of a connection share its Postgres
/// request budget.
public struct ImportJobHandler: JobHandler {
    public let pool: PostgresConnectionPool
    public let connections: ConnectionStore
    public let metrics: MetricStore
    public let httpClient: HTTPClient
    /// Stamps coverage and refreshes; see ``ImportClock``.
    public let clock: ImportClock
    /// Longest one API request may take, connecting and reading included, before it fails as transient.
    public let requestTimeout: Duration
    let logger: Logger

    public init(
        pool: PostgresConnectionPool, connections: ConnectionStore, httpClient: HTTPClient, clock: ImportClock = .system,
        requestTimeout: Duration = .seconds(60), logger: Logger
    ) {
        self.pool = pool
        self.clock = clock
        self.requestTimeout = requestTimeout
        self.connections = connections
        self.metrics = MetricStore(pool: pool)
        self.httpClient = httpClient
        self.logger = logger
    }

    public func handle(_ job: ClaimedJob, context: JobContext) async throws -> JobOutcome {
        do {
            // A kind this binary does not know is discarded with the reason, never run as another kind.
            guard let kind = ImportJobKind(rawValue: job.kind) else { return .discard(reason: "unknown job kind \(job.kind)") }
            switch kind {
            case .catalog:
                return try await runCatalog(job, queue: context.queue)
            case .usage, .revenue:
                return try await runImport(job, kind: kind, context: context)
            }
        } catch let error as MetronomeError {
            return try await outcome(for: error, job: job)
        } catch let error as DecodingError {
            return .discard(reason: "job arguments cannot be read: \(error)")
        } catch let error as TokenCipher.KeyError {
            // The token does not open with this worker's key: no attempt can succeed until someone saves
            // it again, so the connection is marked invalid (status says why) and its jobs wait.
            if let args = try? job.args(as: CatalogJobArgs.self) {
                try await connections.markInvalid(args.connectionID, error: error.description)
            }
            return .hold(for: .seconds(300), reason: "connection invalid: \(error.description)", record: true)
        } catch let error as PostgresRequestPacer.WaitTooLong {
            // The connection's budget is booked ahead: wait without holding a worker slot (nor using an
            // attempt), spread out so the waiting jobs do not all come back at once.
            return .hold(for: .seconds(error.seconds * Double.random(in: 1...1.5)), reason: error.description)
        } catch let error as RevenueAccumulator.Overflow {
            return .discard(reason: error.description)
        } catch let error as MetricValueWriter.NotANumber {
            return .discard(reason: error.description)
        }
    }

    /// Acts on the error's class: wait on rate limits, retry transient failures, stop the connection
    /// on auth failures, give up on requests that can never succeed.
    private func outcome(for error: MetronomeError, job: ClaimedJob) async throws -> JobOutcome {
        switch error.kind {
        case .rateLimited(let retryAfter):
            // Waiting is not failing: the shared limiter was pushed back, the job snoozes.
            return .snooze(for: max(retryAfter ?? .seconds(5), .seconds(1)), reason: error.description)
        case .transient:
            return .retry(error: error.description, after: nil)
        case .unauthorized:
            // Every job kind names its connection, so its args read as catalog args.
            if let args = try? job.args(as: CatalogJobArgs.self) {
                try await connections.markInvalid(args.connectionID, error: error.description)
            }
            return .hold(for: .seconds(300), reason: "connection invalid: \(error.description)", record: true)
        case .pagination:
            // A server that hands back a cursor it was just asked with may be looping for a moment: the
            // suspect page was never used, so retry from the last checkpoint (attempts bound it).
            return .retry(error: error.description, after: nil)
        case .notFound, .badRequest, .decoding:
            return .discard(reason: error.description)
        }
    }

    /// A client for `connection`; with `job`, every request first checks that the job's lease is
    /// still held.
    private func client(for connection: ConnectionRecord, job: ClaimedJob? = nil, context: JobContext? = nil) throws
        -> MetronomeClient
    {
        var beforeSend: (@Sendable () async throws -> Void)?
        if let job, let context {
            beforeSend = { if await context.isLeaseLost(job) { throw JobQueueError.leaseLost(jobID: job.id) } }
        }
        var configuration = try connections.clientConfiguration(for: connection)
        configuration.requestTimeout = requestTimeout
        return MetronomeClient(
            configuration: configuration, httpClient: httpClient,
            pacer: PostgresRequestPacer(
                pool: pool, connectionID: connection.id,
                requestsPerSecond: NSDecimalNumber(decimal: connection.rateLimit).doubleValue, beforeSend: beforeSend,
                logger: logger),
            logger: logger)
    }

    /// Whether a job may use its connection now.
    enum ConnectionUse {
        case usable(ConnectionRecord)
        /// Paused, invalid or gone: the job ends with this outcome instead.
        case unusable(JobOutcome)
    }

    /// A connection that is paused or invalid holds its jobs back (snoozed, no attempt used); one that
    /// no longer exists discards them.
    func usableConnection(_ id: Int64) async throws -> ConnectionUse {
        guard let connection = try await connections.find(id: id) else {
            return .unusable(.discard(reason: "connection \(id) no longer exists"))
        }
        guard connection.status == .active else {
            let reason = "connection \(connection.name) is \(connection.status.rawValue)" + (connection.lastError.map { ": \($0)" } ?? "")
            return .unusable(.hold(for: .seconds(60), reason: reason, record: connection.status == .invalid))
        }
        return .usable(connection)
    }

    private func runCatalog(_ job: ClaimedJob, queue: JobQueue) async throws -> JobOutcome {
        let args = try job.args(as: CatalogJobArgs.self)
        let connection: ConnectionRecord
        switch try await usableConnection(args.connectionID) {
        case .usable(let usable): connection = usable
        case .unusable(let outcome): return outcome
        }
        let summary = try await CatalogSync(pool: pool).sync(connection: connection, client: try client(for: connection))
        logger.info(
            "catalog synced",
            metadata: ["connection.name": "\(connection.name)", "catalog.customers": "\(summary.customers)",
                "catalog.new_customers": "\(summary.newCustomers)"])
        return .complete
    }

    private func runImport(_ job: ClaimedJob, kind: ImportJobKind, context: JobContext) async throws -> JobOutcome {
        var args = try job.args(as: ImportJobArgs.self)
        var jobMetrics: [BusinessMetric] = []
        for id in args.metricIDs {
            if let metric = try await metrics.find(id: id) { jobMetrics.append(metric) }
        }
        guard !jobMetrics.isEmpty else {
            return .discard(reason: "metric(s) \(args.metricIDs.map(String.init).joined(separator: ", ")) no longer exist")
        }
        args.metricIDs = jobMetrics.map(\.id)  // deleted metrics drop out
        let connection: ConnectionRecord
        switch try await usableConnection(args.connectionID) {
        case .usable(let usable): connection = usable
        case .unusable(let outcome): return outcome
        }
        let client = try client(for: connection, job: job, context: context)
        switch (kind, jobMetrics[0].source) {
        case (.usage, .usage(let billableMetricID)) where jobMetrics.count == 1:
            try await importUsage(job, args: args, metric: jobMetrics[0], billableMetricID: billableMetricID, client: client)
        case (.revenue, .revenue(let first)):
            let revenues = jobMetrics.compactMap(\.revenue)
            guard revenues.count == jobMetrics.count, revenues.allSatisfy({ $0.creditTypeID == first.creditTypeID }) else {
                return .discard(reason: "the metrics of a revenue job must all be revenue in one credit type")
            }
            try await importRevenue(job, args: args, metrics: zip(jobMetrics, revenues).map { ($0.id, $1) }, client: client)
        default:
            return .discard(reason: "a \(kind.rawValue) job cannot import metric(s) \(jobMetrics.map(\.title)) of kind \(jobMetrics[0].kind.rawValue)")
        }
        return .alreadyCompleted
    }

    /// Commits one page's writes with its checkpoint. A commit that started always finishes, even when
    /// the worker is shutting down: the page was paid for with a request, so its work is kept. (An
    /// unstructured task does not inherit cancellation; it is awaited here, so nothing outlives the job.)
    ///
    /// A commit that fails for a reason that passes (``commitMayBeRetried(_:)``) is tried again, on a fresh
    /// connection when the old one broke, for up to about half a minute: the
    /// page is in memory, and fetching it again would spend the shared request budget. Trying again is
    /// safe: values are upserts and the checkpoint is fenced by the lease, so a commit that did go
    /// through before its connection broke only finds its lease gone.
    ///
    /// A page commit does not wait for its WAL to reach the disk (`synchronous_commit = off` for this
    /// transaction alone): Postgres still writes it within a few hundred milliseconds, and a crash of the
    /// database server in between loses whole page commits, never part of one: the values with their
    /// checkpoint, so the job resumes from its previous checkpoint and fetches those pages again. Nothing
    /// imported is ever wrong or missing after it; what a crash can cost is a few pages' requests.
    private func commit<T: Sendable>(_ body: @escaping @Sendable (isolated PostgresConnection) throws -> T) async throws -> T {
        Counter(label: "meterbridge_pages_imported_total").increment()
        let pool = pool
        return try await retryingCommit { try await pool.transaction(durability: .asynchronous, body) }
    }

    /// A page commit whose writes are one statement (``MetricValueWriter/insertWithCheckpoint(metricID:rows:lease:cursorJSON:on:)``),
    /// committed without a transaction (as durable as the session's commits: a worker's do not wait for
    /// their WAL flush either), retried as ``commit(_:)`` is.
    private func commitInOneStatement(
        _ body: @escaping @Sendable (isolated PostgresConnection) throws -> MetricValueWriter.OneStatementCommit
    ) async throws -> MetricValueWriter.OneStatementCommit {
        let pool = pool
        let outcome = try await retryingCommit { try await pool.withConnection { connection in try await connection.run(body) } }
        if outcome == .committed { Counter(label: "meterbridge_pages_imported_total").increment() }
        return outcome
    }

    private func retryingCommit<T: Sendable>(_ attempt: @escaping @Sendable () async throws -> T) async throws -> T {
        let logger = logger
        return try await Task {
            try await Self.commitBackoff.retrying(
                maxRetries: Self.commitRetries, if: { ($0 as? PostgresError).map(Self.commitMayBeRetried) ?? false },
                willRetry: { error, retry, delay in
                    logger.warning("page commit failed; trying again", metadata: ["error": "\(error)", "retry": "\(retry)", "delay": "\(delay)"])
                }, attempt)
        }.value
    }

    /// A failure that passes: the connection was lost in a restart or a failover, a serialization
    /// failure, a statement timeout behind someone's lock, or a unique violation (another writer inserted
    /// the same new days first; the next try finds them and updates them instead).
    static func commitMayBeRetried(_ error: PostgresError) -> Bool {
        error.isTransient || error.sqlState == .queryCanceled || error.sqlState == .uniqueViolation
    }

    /// 0.25 + 0.5 + 1 + 2 + 4 + 8 + 8 ≈ 24 s of waiting at most.
    static let commitRetries = 7
    static let commitBackoff = Backoff(initial: .milliseconds(250), cap: .seconds(8))

    /// Records how long one page took: its request (paced, with retries) and its commit.
    static func recordPageDuration(since started: ContinuousClock.Instant) {
        Timer(label: "meterbridge_page_duration_seconds", preferredDisplayUnit: .seconds).record(duration: ContinuousClock.now - started)
    }

    // MARK: Usage

    private func importUsage(
        _ job: ClaimedJob, args: ImportJobArgs, metric: BusinessMetric, billableMetricID: String, client: MetronomeClient
    ) async throws {
        let saved = try job.cursor(as: UsageCursor.self)
        var seen = Set(saved?.seen ?? [])
        let window = try DayWindow(firstDay: args.window.start, endDay: args.window.end)
        let query = UsageQuery(
            window: window, windowSize: .day, customerIDs: args.customerIDs,
            billableMetrics: [UsageMetricSelection(id: billableMetricID)])
        let batch = Set(args.customerIDs)
        let lease = job.lease
        var pageStarted = ContinuousClock.now
        for try await page in client.usage(query, resumingFrom: saved?.nextPage) {
            defer {
                Self.recordPageDuration(since: pageStarted)
                pageStarted = .now
            }
            let rows = page.items
                .filter { $0.billableMetricID == billableMetricID && batch.contains($0.customerID) }
                .filter { args.window.contains($0.day) }
                .map { (customerID: $0.customerID, day: $0.day, amount: $0.value) }
            seen.formUnion(rows.map(\.customerID))
            let cursor = UsageCursor(nextPage: page.nextCursor, seen: seen.sorted())
            let cursorJSON = try JSONEncoder.sorted.encodeToString(cursor)
            let isLast = page.isLast
            let seenNow = seen
            let now = clock.now
            if !isLast {
                // Most pages of a history import are new days: their values and the checkpoint commit in
                // one statement.
                let written = try await commitInOneStatement { db in
                    try MetricValueWriter.insertWithCheckpoint(
                        metricID: metric.id, rows: rows, lease: lease, cursorJSON: cursorJSON, on: db)
                }
                if written == .committed { continue }
            }
            try await commit { db in
                try MetricValueWriter.apply(metricID: metric.id, rows: rows, on: db)
                if isLast {
                    try Self.finishUsage(args: args, seen: seenNow, lease: lease, now: now, on: db)
                } else {
                    try JobQueue.checkpoint(lease, cursorJSON: cursorJSON, on: db)
                }
            }
        }
    }

    private static func finishUsage(
        args: ImportJobArgs, seen: Set<String>, lease: JobLease, now: Date, on db: isolated PostgresConnection
    ) throws {
        for metricID in args.metricIDs {
            try MetricValueWriter.removeUnreported(
                metricID: metricID, window: args.window, customers: args.customerIDs, reported: seen, on: db)
        }
        try MetricValueWriter.recordCoverage(args, now: now, on: db)
        try JobQueue.complete(lease, on: db)
    }

    // MARK: Revenue

    /// `metrics`: the job's metrics (their ids, in `metric_ids` order) with their credit type, one for all.
    private func importRevenue(
        _ job: ClaimedJob, args: ImportJobArgs, metrics: [(id: Int64, revenue: BusinessMetric.Revenue)], client: MetronomeClient
    ) async throws {
        let creditTypeID = metrics[0].revenue.creditTypeID
        let creditTypeName = metrics[0].revenue.creditTypeName
        let fresh = metrics.map { RevenueAccumulator(creditTypeID: creditTypeID, basis: $0.revenue.basis) }
        let window = try DayWindow(firstDay: args.window.start, endDay: args.window.end)
        let query = InvoiceBreakdownQuery(window: window, windowSize: .day, creditTypeID: creditTypeID, sort: .dateAscending)
        var state = try job.cursor(as: RevenueCursor.self) ?? RevenueCursor(customerIndex: 0, nextPage: nil, accumulators: nil)
        if state.accumulators?.count != fresh.count {
            // No saved sums, or sums for other metrics (one was deleted meanwhile): the customer's walk
            // starts again from its first page, or the pages already summed would be lost.
            state.accumulators = nil
            state.nextPage = nil
        }
        let lease = job.lease
        let metricIDs = metrics.map(\.id)
        while state.customerIndex < args.customerIDs.count {
            let customerID = args.customerIDs[state.customerIndex]
            var accumulators = state.accumulators ?? fresh
            var pageStarted = ContinuousClock.now
            for try await page in client.invoiceBreakdowns(customerID: customerID, query, resumingFrom: state.nextPage) {
                defer {
                    Self.recordPageDuration(since: pageStarted)
                    pageStarted = .now
                }
                for breakdown in page.items where breakdown.invoice.customerID == customerID {
                    for index in accumulators.indices { try accumulators[index].add(breakdown, window: args.window) }
                }
                let isLastPage = page.isLast
                let next =
                    isLastPage
                    ? RevenueCursor(customerIndex: state.customerIndex + 1, nextPage: nil, accumulators: nil)
                    : RevenueCursor(customerIndex: state.customerIndex, nextPage: page.nextCursor, accumulators: accumulators)
                let cursorJSON = try JSONEncoder.sorted.encodeToString(next)
                let amounts = accumulators.map { $0.dailyAmounts(creditTypeName: creditTypeName) }
                let finished = isLastPage && next.customerIndex == args.customerIDs.count
                let now = clock.now
                try await commit { db in
                    if isLastPage {
                        // The customer's walk is complete: its days in the window become exactly these sums.
                        for (metricID, daily) in zip(metricIDs, amounts) {
                            try MetricValueWriter.replace(
                                metricID: metricID, customerID: customerID, window: args.window, amounts: daily, on: db)
                        }
                    }
                    if finished {
                        try MetricValueWriter.recordCoverage(args, now: now, on: db)
                        try JobQueue.complete(lease, on: db)
                    } else {
                        try JobQueue.checkpoint(lease, cursorJSON: cursorJSON, on: db)
                    }
                }
                state = next
                if finished { return }
            }
        }
        // No customers left (an empty batch, or a crash right after the last customer's commit).
        let now = clock.now
        try await commit { db in
            try MetricValueWriter.recordCoverage(args, now: now, on: db)
            try JobQueue.complete(lease, on: db)
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    func encodeToString(_ value: some Encodable) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
