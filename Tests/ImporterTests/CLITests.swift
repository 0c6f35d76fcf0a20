import Foundation
import Testing
import TestSupport

/// The `meterbridge` binary on bad input: a clear message on stderr, a non-zero exit, nothing changed.
@Suite("CLI errors")
struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func meterbridge(_ arguments: [String], database: TestDatabase, environment extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = try WorkerProcess.binDirectory().appendingPathComponent("meterbridge")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(database.schema)"
        environment["METERBRIDGE_SECRET_KEY"] = ImporterHarness.key
        environment.merge(extra) { $1 }
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
