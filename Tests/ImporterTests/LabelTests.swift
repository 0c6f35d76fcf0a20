import Foundation
@testable import Importer
import Metronome
import Postgres
import Testing
import TestSupport

@Suite("Labels", .timeLimit(.minutes(15)))
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
