import Backoff
import Foundation
public import Logging
import Metrics
public import Metronome
public import Postgres

/// The request budget of one Metronome connection, shared by every worker on every host through one
/// Postgres row (GCRA, "generic cell rate algorithm"): each request reserves the next free slot
/// `1/rate` seconds after the previous one and sleeps until it. So N processes together never send
/// faster than the connection's rate, with no coordination but one atomic UPDATE per request.
///
/// A 429 pushes the slot for everyone to now + Retry-After (or a 1 s default), so all workers back off,
/// not only the one refused.
public struct PostgresRequestPacer: RequestPacer {
    public let pool: PostgresConnectionPool
    public let connectionID: Int64
    public let requestsPerSecond: Double
    /// Asked right before each request is sent; an error thrown here abandons the request (a job
    /// whose lease was lost stops spending the shared budget at once, not at its next commit).
    let beforeSend: (@Sendable () async throws -> Void)?
    let logger: Logger

    public init(
        pool: PostgresConnectionPool, connectionID: Int64, requestsPerSecond: Double,
        beforeSend: (@Sendable () async throws -> Void)? = nil,
        logger: Logger = Logger(label: "meterbridge.rate-limit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.pool = pool
        self.connectionID = connectionID
        self.requestsPerSecond = requestsPerSecond
        self.beforeSend = beforeSend
        self.logger = logger
    }

    /// The furthest ahead a request may book a slot: beyond it the job is held instead of holding a
    /// worker slot while it waits, so a slow connection cannot fill every slot of a worker and starve
    /// the others. About one and a half slots of this connection, and at least a second.
    var longestWaitSeconds: Double { max(1, 1.5 / requestsPerSecond) }

    /// The connection's budget is booked further ahead than a job should wait: it is held that long.
    public struct WaitTooLong: Error, CustomStringConvertible {
        public var seconds: Double
        public var description: String {
            "the connection's request budget is booked \(String(format: "%.1f", seconds)) s ahead; the job waits its turn"
        }
    }

    public func awaitPermission() async throws {
        try await beforeSend?()
        let interval = 1 / requestsPerSecond
        let longest = longestWaitSeconds
        let row = try await pool.query(Self.reserve, [connectionID, interval, longest]).single()
        let wait: Double = try row.decode(at: 0)
        guard try row.decode(Bool.self, at: 1) else { throw WaitTooLong(seconds: wait) }
        guard wait > 0 else { return }
        FloatingPointCounter(label: "meterbridge_rate_limiter_wait_seconds_total").increment(by: wait)
        try await Task.sleep(for: .milliseconds(Int((wait * 1000).rounded(.up))))
        // A 429 that came while this request waited pushed every worker back: it waits that out too
        // instead of firing inside the Retry-After window.
        while true {
            let blocked = try await pool.query(Self.blockedFor, [connectionID]).single().decode(Double.self, at: 0)
            guard blocked > 0 else { break }
            guard blocked <= longest else { throw WaitTooLong(seconds: blocked) }
            try await Task.sleep(for: .milliseconds(Int((blocked * 1000).rounded(.up))))
        }
        try await beforeSend?()
    }

    public func didReceiveRateLimit(retryAfter: Duration?) async {
        Counter(label: "meterbridge_metronome_rate_limited_total").increment()
        let seconds = retryAfter.map(\.seconds) ?? 1
        do {
            try await pool.query(Self.pushBack, [connectionID, min(max(seconds, 0), 60)])
        } catch {
            // The job still snoozes; only the other workers of the connection are not told to wait.
            logger.warning(
                "could not push the connection's request budget back after a 429",
                metadata: ["connection.id": "\(connectionID)", "error": "\(error)"])
        }
    }

    /// Reserves the next slot unless it is more than $3 seconds ahead; returns the seconds to wait for it
    /// and whether it was reserved. Also counts the request for the measured rate `meterbridge status`
    /// shows.
    static let reserve = """
        INSERT INTO rate_limits AS r (connection_id, tat, requests, window_requests)
        VALUES ($1, now() + make_interval(secs => $2::float8), 1, 1)
        ON CONFLICT (connection_id) DO UPDATE SET
            last_reserved = greatest(r.tat, now()) <= now() + make_interval(secs => $3::float8),
            tat = CASE WHEN greatest(r.tat, now()) <= now() + make_interval(secs => $3::float8)
                THEN greatest(r.tat, now()) + make_interval(secs => $2::float8) ELSE r.tat END,
            requests = r.requests + CASE WHEN greatest(r.tat, now()) <= now() + make_interval(secs => $3::float8) THEN 1 ELSE 0 END,
            previous_rate = CASE WHEN r.window_started_at < now() - interval '30 seconds'
                THEN r.window_requests / greatest(extract(epoch FROM now() - r.window_started_at)::float8, 1) ELSE r.previous_rate END,
            window_requests = CASE WHEN r.window_started_at < now() - interval '30 seconds' THEN 0 ELSE r.window_requests END
                + CASE WHEN greatest(r.tat, now()) <= now() + make_interval(secs => $3::float8) THEN 1 ELSE 0 END,
            window_started_at = CASE WHEN r.window_started_at < now() - interval '30 seconds' THEN now() ELSE r.window_started_at END
        RETURNING CASE WHEN last_reserved
                THEN greatest(0, extract(epoch FROM (tat - make_interval(secs => $2::float8) - now())))::float8
                ELSE greatest(0, extract(epoch FROM (tat - now())))::float8 END,
            last_reserved
        """

    /// Seconds the connection is still blocked by a 429's Retry-After.
    static let blockedFor = """
        SELECT CASE WHEN blocked_until > now() THEN extract(epoch FROM (blocked_until - now()))::float8 ELSE 0 END
        FROM rate_limits WHERE connection_id = $1
        """

    static let pushBack = """
        INSERT INTO rate_limits AS r (connection_id, tat, rate_limited, blocked_until)
        VALUES ($1, now() + make_interval(secs => $2::float8), 1, now() + make_interval(secs => $2::float8))
        ON CONFLICT (connection_id) DO UPDATE
            SET tat = greatest(r.tat, now() + make_interval(secs => $2::float8)), rate_limited = r.rate_limited + 1,
                blocked_until = greatest(r.blocked_until, now() + make_interval(secs => $2::float8))
        """
}
