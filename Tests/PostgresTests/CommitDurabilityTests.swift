import Foundation
import Postgres
import Testing
import TestSupport

/// Commits that do not wait for their WAL flush: for one transaction, or for a whole session.
@Suite("Commit durability", .timeLimit(.minutes(1)))
struct CommitDurabilityTests {
    static func setting(_ connection: PostgresConnection) async throws -> String {
        try await connection.query("SELECT current_setting('synchronous_commit')").single().decode(String.self, at: 0)
    }

    @Test func anAsynchronousTransactionSetsItForItselfAlone() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        try await connection.simpleQuery("SET synchronous_commit = on")
        let inside = try await connection.transaction(durability: .asynchronous) { connection in
            try connection.query("SELECT current_setting('synchronous_commit')").single().decode(String.self, at: 0)
        }
        #expect(inside == "off")
        #expect(try await Self.setting(connection) == "on", "the session keeps its own setting")
        let flushed = try await connection.transaction { connection in
            try connection.query("SELECT current_setting('synchronous_commit')").single().decode(String.self, at: 0)
        }
        #expect(flushed == "on")
        await connection.close()
    }

    @Test func anAsynchronousSessionSetsItForTheSession() async throws {
        let database = try await TestDatabase.make(migrated: false)
        var configuration = database.configuration
        configuration.commitDurability = .asynchronous
        let asynchronous = try await PostgresConnection.connect(configuration, logger: TestDatabase.logger)
        let source = "SELECT source FROM pg_settings WHERE name = 'synchronous_commit'"
        #expect(try await asynchronous.query(source).single().decode(String.self, at: 0) == "session")
        #expect(try await Self.setting(asynchronous) == "off")
        let flushed = try await database.connect()
        #expect(try await flushed.query(source).single().decode(String.self, at: 0) != "session", "the server's setting")
        await asynchronous.close()
        await flushed.close()
    }
}
