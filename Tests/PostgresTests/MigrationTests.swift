import Foundation
import Postgres
import Schema
import Testing
import TestSupport

@Suite("Migrations", .timeLimit(.minutes(5)))
struct MigrationTests {
    @Test func embeddedMigrationsMatchTheSQLFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let directory = root.appendingPathComponent("sql/migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(files.count == Migration.embedded.count, "run scripts/embed-migrations")
        for (file, migration) in zip(files, Migration.embedded) {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let fromFile = Migration(version: Int(file.prefix(4))!, name: migration.name, sql: text)
            #expect(file == String(format: "%04d_%@.sql", migration.version, migration.name))
            #expect(fromFile.checksum == migration.checksum, "\(file) changed: run scripts/embed-migrations")
        }
    }

    @Test func migrateAppliesOnceAndReportsStatus() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let connection = try await database.connect()
        let migrator = Migrator(logger: TestDatabase.logger)
        #expect(try await migrator.status(on: connection).allSatisfy { !$0.isApplied })
        let applied = try await migrator.migrate(on: connection)
        #expect(applied == Migration.embedded.map(\.version))
        #expect(try await migrator.migrate(on: connection).isEmpty)
        let status = try await migrator.status(on: connection)
        #expect(status.allSatisfy { $0.isApplied && !$0.modified })
        await connection.close()
    }

    @Test func concurrentMigrationsAreSafe() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let connection = try await database.connect()
                    let applied = try await Migrator(logger: TestDatabase.logger).migrate(on: connection)
                    await connection.close()
                    return applied
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(applied.sorted() == Migration.embedded.map(\.version))
    }

    /// Migration 14 moves each coverage row's batch out of its packed text key ("3@2026-02-01") into a
    /// column of its own: rows written before it keep their batch, window and customers.
    @Test func coverageKeepsItsBatchAcrossTheBatchColumnMigration() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let connection = try await database.connect()
        try await Migrator(migrations: Migration.embedded.filter { $0.version < 14 }, logger: TestDatabase.logger)
            .migrate(on: connection)
        try await connection.simpleQuery(
            """
            INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'acct', 'https://api.example', '\\x00');
            INSERT INTO business_metrics (id, title, connection_id, kind, billable_metric_id, label_source, since)
                VALUES (1, 'CPU hours', 1, 'usage', 'bm-cpu', 'customer_name', '2026-01-01');
            INSERT INTO import_coverage (metric_id, window_start, window_end, batch_key, customer_ids) VALUES
                (1, '2026-01-01', '2026-02-01', '3@2026-02-01', '{c-1,c-2}'),
                (1, '2026-01-01', '2026-01-15', '12@2026-01-15', '{c-9}');
            """)
        try await Migrator(logger: TestDatabase.logger).migrate(on: connection)
        let rows = try await connection.query(
            """
            SELECT import_batch, window_start::text, window_end::text, array_to_string(customer_ids, ',')
            FROM import_coverage ORDER BY import_batch
            """)
        let coverage = try rows.map {
            "\(try $0.decode(Int.self, at: 0)) \(try $0.decode(String.self, at: 1))..\(try $0.decode(String.self, at: 2)) \(try $0.decode(String.self, at: 3))"
        }
        #expect(coverage == ["3 2026-01-01..2026-02-01 c-1,c-2", "12 2026-01-01..2026-01-15 c-9"])
        await connection.close()
    }

    @Test func failedMigrationRollsBackAndIsNotRecorded() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let connection = try await database.connect()
        let broken = Migrator(
            migrations: [
                Migration(version: 1, name: "ok", sql: "CREATE TABLE one (x int);"),
                Migration(version: 2, name: "broken", sql: "CREATE TABLE two (x int); SELECT * FROM missing_table;"),
            ], logger: TestDatabase.logger)
        await #expect(throws: PostgresError.self) { try await broken.migrate(on: connection) }
        let status = try await broken.status(on: connection)
        #expect(status.map(\.isApplied) == [true, false])
        let two = try await connection.query("SELECT to_regclass('two') IS NULL").single().decode(Bool.self, at: 0)
        #expect(two, "the failed migration's first statement must roll back")
        await connection.close()
    }
}
