import Backoff
import Foundation
import Logging
import Metrics
import Postgres

/// Commits the pages of every import: one page's writes with its job's checkpoint (or completion), kept
/// even when the worker is stopping, retried when the failure passes. Every source's import commits
/// through it.
struct PageCommitter: Sendable {
    let pool: PostgresConnectionPool
    let logger: Logger

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
    func commit<T: Sendable>(_ body: @escaping @Sendable (isolated PostgresConnection) throws -> T) async throws -> T {
        Counter(label: "meterbridge_pages_imported_total").increment()
        let pool = pool
        return try await retryingCommit { try await pool.transaction(durability: .asynchronous, body) }
    }

    /// A page commit whose writes are one statement (``MetricValueWriter/insertWithCheckpoint(metricID:rows:lease:cursorJSON:on:)``),
    /// committed without a transaction (as durable as the session's commits: a worker's do not wait for
    /// their WAL flush either), retried as ``commit(_:)`` is.
    func commitInOneStatement(
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
}
