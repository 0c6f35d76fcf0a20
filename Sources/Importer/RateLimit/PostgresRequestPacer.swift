import Foundation
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

    public init(
        pool: PostgresConnectionPool, connectionID: Int64, requestsPerSecond: Double,
        beforeSend: (@Sendable () async throws -> Void)? = nil
    ) {
        self.pool = pool
        self.connectionID = connectionID
        self.requestsPerSecond = requestsPerSecond
        self.beforeSend = beforeSend
    }

    public func awaitPermission() async throws {
        try await beforeSend?()
        let interval = 1 / requestsPerSecond
        let wait = try await pool.query(Self.reserve, [connectionID, interval]).single().decode(Double.self, at: 0)
        if wait > 0 {
            FloatingPointCounter(label: "meterbridge_rate_limiter_wait_seconds_total").increment(by: wait)
            try await Task.sleep(for: .milliseconds(Int((wait * 1000).rounded(.up))))
            try await beforeSend?()
        }
    }

    public func didReceiveRateLimit(retryAfter: Duration?) async {
        Counter(label: "meterbridge_metronome_rate_limited_total").increment()
        let seconds = retryAfter.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 1
        _ = try? await pool.query(Self.pushBack, [connectionID, min(max(seconds, 0), 60)])
    }

    /// Reserves the next slot and returns the seconds to wait for it; also counts the request for the
    /// measured rate that `meterbridge status` shows.
    static let reserve = """
        INSERT INTO rate_limits AS r (connection_id, tat, requests, window_requests)
        VALUES ($1, now() + make_interval(secs => $2::float8), 1, 1)
        ON CONFLICT (connection_id) DO UPDATE SET
            tat = greatest(r.tat, now()) + make_interval(secs => $2::float8),
            requests = r.requests + 1,
            previous_rate = CASE WHEN r.window_started_at < now() - interval '30 seconds'
                THEN r.window_requests / greatest(extract(epoch FROM now() - r.window_started_at)::float8, 1) ELSE r.previous_rate END,
            window_requests = CASE WHEN r.window_started_at < now() - interval '30 seconds' THEN 1 ELSE r.window_requests + 1 END,
            window_started_at = CASE WHEN r.window_started_at < now() - interval '30 seconds' THEN now() ELSE r.window_started_at END
        RETURNING greatest(0, extract(epoch FROM (tat - make_interval(secs => $2::float8) - now())))::float8
        """

    static let pushBack = """
        INSERT INTO rate_limits AS r (connection_id, tat, rate_limited) VALUES ($1, now() + make_interval(secs => $2::float8), 1)
        ON CONFLICT (connection_id) DO UPDATE
            SET tat = greatest(r.tat, now() + make_interval(secs => $2::float8)), rate_limited = r.rate_limited + 1
        """
}
