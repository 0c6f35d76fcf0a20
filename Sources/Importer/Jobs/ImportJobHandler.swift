public import AsyncHTTPClient
import Foundation
public import JobQueue
public import Logging
import Metronome
public import Postgres

/// Runs catalog and import jobs against Metronome: checks the job's metrics and connection, hands the
/// window to its source's import (``UsageImport``, ``RevenueImport``), and turns errors into outcomes.
///
/// Every page commits through one ``PageCommitter``, in one fenced transaction with the job's cursor
/// checkpoint, and the last page also commits the coverage record and the job's completion, so a crash
/// re-fetches at most one page and a worker whose lease was lost can commit nothing. All requests of a
/// connection share its Postgres request budget.
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
        let pages = PageCommitter(pool: pool, logger: logger)
        switch (kind, jobMetrics[0].source) {
        case (.usage, .usage(let billableMetricID)) where jobMetrics.count == 1:
            try await UsageImport(pages: pages, clock: clock).run(
                job, args: args, metric: jobMetrics[0], billableMetricID: billableMetricID, client: client)
        case (.revenue, .revenue(let first)):
            let revenues = jobMetrics.compactMap(\.revenue)
            guard revenues.count == jobMetrics.count, revenues.allSatisfy({ $0.creditTypeID == first.creditTypeID }) else {
                return .discard(reason: "the metrics of a revenue job must all be revenue in one credit type")
            }
            try await RevenueImport(pages: pages, clock: clock).run(
                job, args: args, metrics: zip(jobMetrics, revenues).map { ($0.id, $1) }, client: client)
        default:
            return .discard(reason: "a \(kind.rawValue) job cannot import metric(s) \(jobMetrics.map(\.title)) of kind \(jobMetrics[0].kind.rawValue)")
        }
        return .alreadyCompleted
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
