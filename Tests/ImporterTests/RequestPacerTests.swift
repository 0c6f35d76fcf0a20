import Foundation
@testable import Importer
import Metronome
import Postgres
import Testing
import TestSupport

@Suite("Shared request budget", .timeLimit(.minutes(15)))
struct PacerTests {
    /// Pacers in separate pools (as in separate processes) share one budget: 31 permissions at 30/s
    /// take at least a second in total, however they are spread.
    @Test func workersTogetherStayUnderTheRate() async throws {
        let database = try await TestDatabase.make()
        let setup = try await database.connect()
        try await setup.simpleQuery("INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'c', 'http://x', '\\x00')")
        await setup.close()
        let pools = (0..<3).map { _ in database.pool(size: 2) }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<31 {
                let pacer = PostgresRequestPacer(pool: pools[index % 3], connectionID: 1, requestsPerSecond: 30)
                group.addTask { try await pacer.awaitPermission() }
            }
            try await group.waitForAll()
        }
        #expect(ContinuousClock.now - started >= .milliseconds(990))
        let row = try await pools[0].query("SELECT requests FROM rate_limits WHERE connection_id = 1").single()
        #expect(try row.decode(Int.self, at: 0) == 31)
        for pool in pools { await pool.close() }
    }

    @Test func aRateLimitPushesEveryoneBack() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        try await pool.query("INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'c', 'http://x', '\\x00')")
        let pacer = PostgresRequestPacer(pool: pool, connectionID: 1, requestsPerSecond: 1_000)
        try await pacer.awaitPermission()
        let started = ContinuousClock.now  // before the push-back: a slow machine only lengthens what is measured
        await pacer.didReceiveRateLimit(retryAfter: .milliseconds(700))
        try await pacer.awaitPermission()
        #expect(ContinuousClock.now - started >= .milliseconds(600))
        await pool.close()
    }
}

@Suite("Rate-limit push-back", .timeLimit(.minutes(15)))
struct PushBackTests {
    /// A connection of `rate` requests per second and its pacer, in a fresh schema.
    static func pacer(rate: String, poolSize: Int) async throws -> (PostgresConnectionPool, ConnectionRecord, PostgresRequestPacer) {
        let pool = try await TestDatabase.make().pool(size: poolSize)
        let store = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: ImporterHarness.key))
        let connection = try await store.add(
            name: "c", baseURL: "http://127.0.0.1:9", token: "t", rateLimit: Decimal(string: rate)!, customerBatchSize: 1)
        let pacer = PostgresRequestPacer(
            pool: pool, connectionID: connection.id, requestsPerSecond: NSDecimalNumber(decimal: connection.rateLimit).doubleValue)
        return (pool, connection, pacer)
    }

    /// Waits until `count` requests hold their reservations.
    static func waitUntilBooked(_ count: Int, pool: PostgresConnectionPool, connection: ConnectionRecord) async throws {
        try await waitUntil("\(count) requests are booked", pollingEvery: .milliseconds(5)) {
            try await pool.query("SELECT requests FROM rate_limits WHERE connection_id = $1", [connection.id])
                .single().decode(Int.self, at: 0) == count
        }
    }

    /// Requests already waiting for a reserved slot used to fire inside a 429's Retry-After window. Now
    /// each waits the push-back out: none is released before it ends (lower bounds only, so a slow
    /// machine cannot fail this).
    @Test func waitingRequestsHonourAPushBack() async throws {
        let (pool, connection, pacer) = try await Self.pacer(rate: "0.5", poolSize: 4)
        try await pacer.awaitPermission()  // the first slot: now
        let waiting = Task { () -> ContinuousClock.Instant? in  // the next slot: in 2 s
            do {
                try await pacer.awaitPermission()
                return ContinuousClock.now
            } catch is PostgresRequestPacer.WaitTooLong {
                return nil  // the push-back is longer than a job waits in a slot: it is held, nothing sent
            }
        }
        // Wait until the second request holds its reservation, then a 429 asks for 2.5 s.
        try await Self.waitUntilBooked(2, pool: pool, connection: connection)
        let pushedAt = ContinuousClock.now
        await pacer.didReceiveRateLimit(retryAfter: .milliseconds(2_500))
        let released = try await waiting.value
        #expect(released != nil, "2.5 s is within what a request waits at 0.5 requests/s")
        if let released {
            #expect(released - pushedAt >= .milliseconds(2_450), "released \(released - pushedAt) after the push-back")
        }
        await pool.close()
    }

    /// A reservation further ahead than about 1.5 slots is refused, so the job is held instead of
    /// sleeping in a worker slot.
    @Test func aSlotTooFarAheadIsRefused() async throws {
        // One request every 10 s: a slot may be booked at most 15 s ahead. Wide margins, so a loaded
        // machine cannot move the third request inside the bound.
        let (pool, connection, pacer) = try await Self.pacer(rate: "0.1", poolSize: 2)
        try await pacer.awaitPermission()  // now; the next slot is 10 s ahead, within 15 s
        let second = Task { try await pacer.awaitPermission() }
        try await Self.waitUntilBooked(2, pool: pool, connection: connection)
        // The third slot would be 20 s ahead: refused at once, nothing booked.
        let refused = await #expect(throws: PostgresRequestPacer.WaitTooLong.self) { try await pacer.awaitPermission() }
        #expect((refused?.seconds ?? 0) > 15)
        second.cancel()  // it holds its slot; no need to sleep until it comes
        _ = await second.result
        // Neither counted as a request nor in the measured rate.
        let counted = try await pool.query(
            "SELECT requests, window_requests FROM rate_limits WHERE connection_id = $1", [connection.id]
        ).single()
        #expect(try counted.decode(Int.self, at: 0) == 2)
        #expect(try counted.decode(Int.self, at: 1) == 2)
        await pool.close()
    }

    /// A push-back that cannot be saved (the database is gone) used to be swallowed: the job snoozed,
    /// but nobody learned that the other workers were not told to wait. Now it is logged.
    @Test func aFailedPushBackIsLogged() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let log = RecordingLog()
        let pacer = PostgresRequestPacer(pool: pool, connectionID: 1, requestsPerSecond: 1, logger: log.logger)
        await pool.close()
        await pacer.didReceiveRateLimit(retryAfter: .seconds(1))
        #expect(log.all == ["could not push the connection's request budget back after a 429"])
    }
}
