import Foundation
import Testing
import TestSupport

/// The `meterbridge` binary on bad input: a clear message on stderr, a non-zero exit, nothing changed.
@Suite("CLI errors", .timeLimit(.minutes(15)))
struct CLITests {
    typealias Run = BuiltBinary.Run

    func meterbridge(
        _ arguments: [String], database: TestDatabase, environment extra: [String: String] = [:], removing: [String] = []
    ) throws -> Run {
        var environment = BuiltBinary.environment(schema: database.schema, extra: ["METERBRIDGE_SECRET_KEY": ImporterHarness.key])
        environment["LOG_LEVEL"] = ProcessInfo.processInfo.environment["LOG_LEVEL"]
        environment.merge(extra) { $1 }
        for name in removing { environment[name] = nil }
        return try BuiltBinary.run(try BuiltBinary.url("meterbridge"), arguments, environment: environment)
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
        // The console and the MCP server refuse to start rather than answer every page or call with an error.
        for server in [["serve", "--port", "0"], ["mcp"]] {
            let run = try meterbridge(server, database: empty)
            #expect(run.status != 0, "\(server)")
            #expect(run.stderr.contains("the database has no MeterBridge schema yet: run `meterbridge migrate`"), "\(server): \(run.stderr)")
        }

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
        // Long names stay apart from the next column (they used to run into it).
        let long = try #require(status.stdout.split(separator: "\n").first { $0.contains("metric_values_checked_per_statement") })
        #expect(long.contains("metric_values_checked_per_statement  "), "\(long)")
    }

    @Test func badInputFailsClearlyAndChangesNothing() async throws {
        let database = try await TestDatabase.make()
        let cases: [([String], String)] = [
            (["metric", "show", "nope"], "no metric titled nope"),
            (["jobs", "show", "999"], "no job with id 999"),
            (["metric", "values", "--title", "x", "--from", "2026-13-01"], "--from"),
            (["reimport", "--metric", "x", "--from", "2026-02-01", "--to", "2026-01-01"], "--from 2026-02-01 is after --to 2026-01-01"),
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

    /// Every leaf command, on a bad date, an unknown name, a bad value or conflicting flags: a non-zero
    /// exit, exactly one `Error:` line that says what is wrong, no raw driver dump, and no table changed.
    /// The table must name every command `meterbridge` has (read from its own help dump).
    @Test func everyCommandRefusesBadInputClearlyAndChangesNothing() async throws {
        let database = try await TestDatabase.make()
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("cli-token-\(UUID())")
        try Data("a-token".utf8).write(to: tokenFile)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let token = tokenFile.path
        let cases: [([String], String)] = [
            (["migrate", "--statement-timeout", "abc"], "'abc' is invalid for '--statement-timeout"),
            (["connection", "add", "--name", "x", "--token-file", token, "--base-url", "http://example.com"], "must use https"),
            (["connection", "list", "--format", "yaml"], "'yaml' is invalid for '--format"),
            (["connection", "validate", "nope"], "no connection named nope"),
            (["connection", "set-token", "nope", "--token-file", token], "no connection named nope"),
            (["connection", "pause", "nope"], "no connection named nope"),
            (["connection", "resume", "nope"], "no connection named nope"),
            (["connection", "remove", "nope", "--yes"], "no connection named nope"),
            (["billable-metrics", "list", "--connection", "nope"], "no connection named nope"),
            (["metric", "create", "--title", "t", "--connection", "nope", "--label-source", "customer-name", "--since", "2026-02-30",
              "--usage", "m"], "'2026-02-30' is invalid for '--since"),
            (["metric", "list", "--format", "xml"], "'xml' is invalid for '--format"),
            (["metric", "show", "nope"], "no metric titled nope"),
            (["metric", "edit", "nope", "--label-source", "customer-id"], "no metric titled nope"),
            (["metric", "delete", "nope", "--yes"], "no metric titled nope"),
            (["metric", "values", "--title", "nope", "--from", "2026-01-01"], "no metric titled nope"),
            (["metric", "values", "--title", "x", "--from", "2026-01-31", "--to", "2026-01-01"], "--to"),
            (["jobs", "list", "--state", "nonsense"], "'nonsense' is invalid for '--state"),
            (["jobs", "list", "--kind", "import_everything"], "unknown job kind import_everything"),
            (["jobs", "show", "99999"], "no job with id 99999"),
            (["jobs", "retry", "1", "--failed"], "pass job ids or --failed, not both"),
            (["jobs", "cancel", "999999", "--yes"], "no job with id 999999"),
            (["jobs", "cancel", "--queue", "fast", "--yes"], "unknown queue fast"),
            (["jobs", "prune", "--older-than", "yesterday"], "'yesterday' is invalid for '--older-than"),
            (["queue", "status", "--format", "pdf"], "'pdf' is invalid for '--format"),
            (["queue", "pause", "nope"], "unknown queue nope"),
            (["queue", "resume", "nope"], "unknown queue nope"),
            (["reimport", "--metric", "nope", "--connection", "c"], "pass --metric or --connection"),
            (["reimport", "--metric", "nope", "--from", "2026-01-01"], "no metric titled nope"),
            (["plan", "--sync-interval", "0"], "--sync-interval"),
            (["status", "--watch", "--interval", "0"], "--interval must be positive"),
            (["secrets", "rotate-key", "--new-key-file", "/nonexistent/key"], "cannot read the key file"),
            (["costs", "import", "/nonexistent/costs.csv", "--source", "s"], "cannot read /nonexistent/costs.csv: no such file"),
            (["costs", "list", "--format", "yaml"], "'yaml' is invalid for '--format"),
            (["costs", "delete", "--source", "nope", "--yes"], "no cost source named nope"),
            (["cost-report", "create", "r", "--include", "ServiceCategory=="], "unknown field"),
            (["cost-report", "list", "--format", "x"], "'x' is invalid for '--format"),
            (["cost-report", "show", "nope"], "no cost report named nope"),
            (["cost-report", "edit", "nope", "--include", "service=x"], "no cost report named nope"),
            (["cost-report", "edit", "nope", "--customer-tag", "c", "--no-customer-tag"], "not both"),
            (["cost-report", "delete", "nope", "--yes"], "no cost report named nope"),
            (["report", "top-customers", "--from", "2026-02-30", "--metric", "x"], "'2026-02-30' is invalid for '--from"),
            (["report", "unit-cost", "--from", "2026-01-01", "--last", "30d", "--metric", "x", "--cost-report", "y"], "not both"),
            (["report", "margin", "--revenue-metric", "nope", "--cost-report", "nope", "--metric", "x"], "no business metric titled"),
            (["report", "pricing", "--cost-report", "c", "--metric", "m", "--target-margins", "150%"], "--target-margins"),
            (["report", "pricing", "--cost-report", "c", "--metric", "m", "--target-margins", "0.4"], "0.4 is read as 0.4 %, which looks like a fraction: write 40 for 40 %"),
            (["report", "pricing", "--cost-report", "c", "--metric", "m", "--target-margins", "20%,x"], "--target-margins: x is not a percentage"),
            (["metric", "values", "--title", "x", "--last", "7x"], "--last: expected e.g. 7d or 4w, not 7x"),
            (["report", "allocate", "--cost-report", "nope", "--metric", "nope"], "no business metric titled"),
            (["report", "portfolio", "--metrics", "nope"], "no business metric titled"),
            (["serve", "--http-host", "0.0.0.0"], "is reachable from other machines: pass --auth-token-file"),
            (["serve", "--auth-token-file", token, "--no-auth"], "not both"),
            (["mcp", "--http-port", "70000"], "--http-port must be 0…65535"),
            (["mcp", "--http-token-file", token], "--http-token-file goes with --http-port"),
        ]

        // Every leaf command of the binary has a case.
        let dump = try meterbridge(["--experimental-dump-help"], database: database)
        let tree = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        func leaves(_ command: [String: Any], _ path: [String]) -> [[String]] {
            let children = (command["subcommands"] as? [[String: Any]] ?? []).filter { $0["commandName"] as? String != "help" }
            if children.isEmpty { return [path] }
            return children.flatMap { leaves($0, path + [$0["commandName"] as? String ?? "?"]) }
        }
        let commands = leaves(try #require(tree["command"] as? [String: Any]), [])
        #expect(commands.count >= 40)
        for command in commands {
            #expect(cases.contains { Array($0.0.prefix(command.count)) == command }, "no bad-input case for `\(command.joined(separator: " "))`")
        }

        let before = try await fingerprint(database)
        for (arguments, message) in cases {
            let run = try meterbridge(arguments, database: database)
            let errorLines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(run.status != 0, "\(arguments) exited 0: \(run.stdout)")
            #expect(errorLines.count == 1 && errorLines[0].contains(message), "\(arguments): \(run.stderr)")
            #expect(!run.stderr.contains("PostgresError(") && !run.stderr.contains("sqlstate"), "\(arguments): \(run.stderr)")
        }
        #expect(try await fingerprint(database) == before, "a refused command changed a table")
    }

    /// Every table's row count and content hash.
    func fingerprint(_ database: TestDatabase) async throws -> String {
        let connection = try await database.connect()
        let print = try await connection.query(
            """
            SELECT string_agg(table_name || '=' || (xpath('/row/c/text()', query_to_xml(format(
                'SELECT count(*) || '':'' || md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) AS c FROM %I.%I AS t',
                table_schema, table_name), false, true, '')))[1]::text, ', ' ORDER BY table_name)
            FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
            """
        ).single().decode(String.self, at: 0)
        await connection.close()
        return print
    }
}
