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
