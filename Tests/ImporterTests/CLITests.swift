import Foundation
import Testing
import TestSupport

/// The `meterbridge` binary on bad input: a clear message on stderr, a non-zero exit, nothing changed.
@Suite("CLI errors", .timeLimit(.minutes(15)))
struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func meterbridge(
        _ arguments: [String], database: TestDatabase, environment extra: [String: String] = [:], removing: [String] = []
    ) throws -> Run {
        let process = Process()
        process.executableURL = try WorkerProcess.binDirectory().appendingPathComponent("meterbridge")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(database.schema)"
        environment["METERBRIDGE_SECRET_KEY"] = ImporterHarness.key
        environment.merge(extra) { $1 }
        for name in removing { environment[name] = nil }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A password on the command line is readable in the process list: said, once, on stderr.
    @Test func aPasswordInDatabaseURLIsWarnedAbout() async throws {
        let database = try await TestDatabase.make()
        let url = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        let withPassword = url.replacingOccurrences(of: "postgres@", with: "postgres:not-needed-here@")
        let run = try meterbridge(["metric", "list", "--database-url", withPassword], database: database)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: --database-url holds a password"))
        #expect(!run.stderr.contains("not-needed-here") && !run.stdout.contains("not-needed-here"))
        let plain = try meterbridge(["metric", "list", "--database-url", url], database: database)
        #expect(!plain.stderr.contains("warning"))
    }

    /// Without a reachable database the first command says to set DATABASE_URL, not a raw driver error.
    @Test func noDatabaseSaysToSetDatabaseURL() async throws {
        let database = try await TestDatabase.make()
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("meterbridge-no-postgres-\(UUID())")
        try FileManager.default.createDirectory(at: nowhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: nowhere) }
        for arguments in [["metric", "list"], ["migrate"]] {
            let run = try meterbridge(
                arguments, database: database, environment: ["PGHOST": nowhere.path], removing: ["DATABASE_URL"])
            #expect(run.status != 0, "\(arguments)")
            #expect(run.stderr.contains("cannot reach the database through PGHOST (DATABASE_URL is not set)"), "\(run.stderr)")
            #expect(run.stderr.contains("Set DATABASE_URL to your Postgres"), "\(run.stderr)")
            #expect(!run.stderr.contains("PostgresError("), "\(run.stderr)")
        }
    }

    /// A database that was never migrated, or is behind this binary, is named as such, with the fix.
    @Test func anUnmigratedOrBehindSchemaSaysToMigrate() async throws {
        let empty = try await TestDatabase.make(migrated: false)
        let never = try meterbridge(["metric", "list"], database: empty)
        #expect(never.status != 0)
        #expect(never.stderr.contains("the database has no MeterBridge schema yet: run `meterbridge migrate`"), "\(never.stderr)")
        #expect(!never.stderr.contains("does not exist"), "\(never.stderr)")

        let behind = try await TestDatabase.make()
        let connection = try await behind.connect()
        let latest = try await connection.query("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations) RETURNING version, name").single()
        let version: Int = try latest.decode(at: 0)
        let name: String = try latest.decode(at: 1)
        await connection.close()
        for arguments in [["metric", "list"], ["status"]] {
            let run = try meterbridge(arguments, database: behind)
            #expect(run.status != 0, "\(arguments)")
            #expect(
                run.stderr.contains("the database schema is behind this meterbridge (1 migration(s) pending: \(version) \(name)): run `meterbridge migrate`"),
                "\(arguments): \(run.stderr)")
        }
        let status = try meterbridge(["migrate", "--status"], database: behind)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("1 migration(s) pending: run `meterbridge migrate`."), "\(status.stdout)")
    }

    @Test func badInputFailsClearlyAndChangesNothing() async throws {
        let database = try await TestDatabase.make()
        let cases: [([String], String)] = [
            (["metric", "show", "nope"], "no metric titled nope"),
            (["jobs", "show", "999"], "no job with id 999"),
            (["metric", "values", "--title", "x", "--from", "2026-13-01"], "--from"),
            (["reimport", "--metric", "x", "--from", "2026-02-01", "--to", "2026-01-01"], "--to is before --from"),
            (["connection", "validate", "nope"], "no connection named nope"),
            (["jobs", "retry"], "--failed"),
            (["plan", "--sync-interval", "0"], "--sync-interval"),
            (["metric", "list", "--statement-timeout=-1"], "--statement-timeout must be"),
            (["plan", "--sync-budget-share", "150%"], "--sync-budget-share"),
            (["plan", "--lookback-days", "300"], "--lookback-days must fit in one window"),
            (["metric", "create", "--title", "t", "--connection", "c", "--label-source", "customer-name", "--since", "2026-01-01"],
             "either --usage"),
        ]
        for (arguments, message) in cases {
            let run = try meterbridge(arguments, database: database)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        // Nothing was written by any of them.
        let connection = try await database.connect()
        let rows = try await connection.query(
            "SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM business_metrics) + (SELECT count(*) FROM connections)"
        ).single().decode(Int.self, at: 0)
        #expect(rows == 0)
        await connection.close()
    }
}
