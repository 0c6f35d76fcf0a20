import Foundation
@testable import Importer
import Metronome
import Postgres
import Testing
import TestSupport

@Suite("Labels")
struct LabelTests {
    /// The view resolves labels when read: the chosen source, the id when it is missing or empty, and an
    /// id suffix on every customer whose label would collide (archived customers included).
    @Test func labelsFallBackAndNeverMerge() async throws {
        let database = try await TestDatabase.make()
        let db = try await database.connect()
        try await db.simpleQuery(
            """
            INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'c', 'http://x', '\\x00');
            INSERT INTO customers (connection_id, id, name, ingest_aliases, archived_at, import_batch) VALUES
                (1, 'aaaaaaaa-1111', 'Acme', '{acme-prod,acme-eu}', NULL, 0),
                (1, 'bbbbbbbb-2222', 'Acme', '{}', now(), 0),
                (1, 'cccccccc-3333', '', '{shared}', NULL, 0),
                (1, 'dddddddd-4444', 'Zoë GmbH', '{shared}', NULL, 0);
            INSERT INTO business_metrics (id, title, connection_id, kind, billable_metric_id, label_source, since)
                VALUES (1, 'm', 1, 'usage', 'bm', 'customer_name', '2026-01-01');
            INSERT INTO metric_values (metric_id, day, customer_id, amount) VALUES
                (1, '2026-01-01', 'aaaaaaaa-1111', 1), (1, '2026-01-01', 'bbbbbbbb-2222', 2),
                (1, '2026-01-01', 'cccccccc-3333', 3), (1, '2026-01-01', 'dddddddd-4444', 4),
                (1, '2026-01-01', 'eeeeeeee-5555', 5);
            """)
        func labels() async throws -> [String: String] {
            let rows = try await db.query("SELECT customer_id, label FROM metric_values_labeled WHERE metric_id = 1")
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) })
        }
        #expect(try await labels() == [
            "aaaaaaaa-1111": "Acme (aaaaaaaa)", "bbbbbbbb-2222": "Acme (bbbbbbbb)", "cccccccc-3333": "cccccccc-3333",
            "dddddddd-4444": "Zoë GmbH", "eeeeeeee-5555": "eeeeeeee-5555",
        ])
        try await db.query("UPDATE business_metrics SET label_source = 'ingest_alias'")
        #expect(try await labels() == [
            "aaaaaaaa-1111": "acme-prod", "bbbbbbbb-2222": "bbbbbbbb-2222", "cccccccc-3333": "shared (cccccccc)",
            "dddddddd-4444": "shared (dddddddd)", "eeeeeeee-5555": "eeeeeeee-5555",
        ])
        // A rename (as a catalog sync writes it) relabels at once, and the collision it ends is gone.
        try await db.query("UPDATE customers SET name = 'Acme Europe' WHERE id = 'bbbbbbbb-2222'")
        try await db.query("UPDATE business_metrics SET label_source = 'customer_name'")
        let renamed = try await labels()
        #expect(renamed["aaaaaaaa-1111"] == "Acme")
        #expect(renamed["bbbbbbbb-2222"] == "Acme Europe")
        try await db.query("UPDATE business_metrics SET label_source = 'customer_id'")
        #expect(try await labels().allSatisfy { $0.key == $0.value })
        await db.close()
    }
}

@Suite("Shared request budget")
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

@Suite("Secret key rotation")
struct KeyRotationTests {
    /// Every token is re-encrypted in one transaction; afterwards only the new key opens them, and a
    /// wrong current key changes nothing.
    @Test func rotateKeyReencryptsEveryToken() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let oldKey = Data(repeating: 1, count: 32).base64EncodedString()
        let newKey = Data(repeating: 2, count: 32).base64EncodedString()
        let old = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: oldKey))
        for name in ["a", "b"] {
            _ = try await old.add(name: name, baseURL: "https://x.example", token: "token-\(name)", rateLimit: 8, customerBatchSize: 25)
        }
        // A store holding the wrong "current" key refuses and changes nothing.
        let wrong = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: Data(repeating: 3, count: 32).base64EncodedString()))
        await #expect(throws: TokenCipher.KeyError.self) { try await wrong.rotateKey(to: try TokenCipher(base64Key: newKey)) }
        #expect(try old.clientConfiguration(for: try await old.named("a")).token.secret == "token-a")

        #expect(try await old.rotateKey(to: try TokenCipher(base64Key: newKey)) == 2)
        let rotated = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: newKey))
        for name in ["a", "b"] {
            #expect(try rotated.clientConfiguration(for: try await rotated.named(name)).token.secret == "token-\(name)")
            let record = try await old.named(name)
            #expect(throws: TokenCipher.KeyError.self) { try old.clientConfiguration(for: record) }
        }
        await pool.close()
    }
}

@Suite("Bound tokens")
struct BoundTokenTests {
    /// Someone who can UPDATE connections points base_url at a listener of theirs: the token no longer
    /// decrypts, so no worker sends it there.
    @Test func aChangedBaseURLMakesTheTokenUseless() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let store = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: Data(repeating: 4, count: 32).base64EncodedString()))
        let saved = try await store.add(name: "prod", baseURL: "https://api.metronome.com", token: "tok-1", rateLimit: 8, customerBatchSize: 25)
        #expect(try store.clientConfiguration(for: saved).token.secret == "tok-1")
        try await pool.query("UPDATE connections SET base_url = 'https://attacker.example' WHERE id = $1", [saved.id])
        let moved = try await store.named("prod")
        #expect(throws: TokenCipher.KeyError.self) { try store.clientConfiguration(for: moved) }
        // Plain http to another machine is refused outright.
        try await pool.query("UPDATE connections SET base_url = 'http://api.metronome.com' WHERE id = $1", [saved.id])
        let plain = try await store.named("prod")
        #expect(throws: TokenDestination.Refused.self) { try store.clientConfiguration(for: plain) }
        await #expect(throws: TokenDestination.Refused.self) {
            try await store.add(name: "plain", baseURL: "http://metronome.example", token: "t", rateLimit: 8, customerBatchSize: 25)
        }
        await pool.close()
    }

    /// Tokens saved before binding are not used until sealed again, which a worker's start does.
    @Test func legacyTokensAreSealedAgainBound() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let cipher = try TokenCipher(base64Key: Data(repeating: 5, count: 32).base64EncodedString())
        let store = ConnectionStore(pool: pool, cipher: cipher)
        try await pool.query(
            "INSERT INTO connections (name, base_url, token_ciphertext, token_format) VALUES ('old', 'https://api.metronome.com', $1, 1)",
            [try cipher.sealLegacy("legacy-token")])
        let legacy = try await store.named("old")
        #expect(throws: ConnectionStore.StoreError.self) { try store.clientConfiguration(for: legacy) }
        #expect(try await store.upgradeLegacyTokens() == 1)
        #expect(try await store.upgradeLegacyTokens() == 0)
        #expect(try store.clientConfiguration(for: try await store.named("old")).token.secret == "legacy-token")
        await pool.close()
    }
}
