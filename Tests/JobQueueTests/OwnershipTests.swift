import Foundation
import Testing

/// Only `JobQueue` touches the queue's tables: every other module goes through its API, so a change to
/// the queue (a column, a state, how a cancel clears a lease) is made in one place.
@Suite("Table ownership", .timeLimit(.minutes(1)))
struct OwnershipTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// SQL that reads or writes one of the queue's tables. Prose about jobs does not match.
    static let queueTableSQL = #"(?i)\b(from|join|into|update|table|analyze)\s+(jobs|job_queues|job_leaders|job_groups)\b"#

    /// Swift sources outside `Sources/JobQueue` (the generated embedding of `sql/migrations` excepted:
    /// the schema creates the tables).
    static func sourcesOutsideJobQueue() throws -> [URL] {
        let sources = repository.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return files.filter { url in
            url.pathExtension == "swift" && !url.path.contains("/Sources/JobQueue/")
                && url.lastPathComponent != "EmbeddedMigrations.swift"
        }
    }

    static func hits(in text: String) -> [String] {
        let pattern = try! Regex(queueTableSQL)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            line.contains(pattern) ? "\(index + 1): \(line.trimmingCharacters(in: .whitespaces))" : nil
        }
    }

    @Test func onlyJobQueueTouchesTheJobsTable() throws {
        let files = try Self.sourcesOutsideJobQueue()
        #expect(files.count > 50, "found the sources at \(Self.repository.path)")
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let path = file.path.replacingOccurrences(of: Self.repository.path + "/", with: "")
            offenders += Self.hits(in: text).map { "\(path):\($0)" }
        }
        #expect(offenders.isEmpty, "SQL on the queue's tables outside Sources/JobQueue:\n\(offenders.joined(separator: "\n"))")
    }

    /// The pattern finds the statements that used to live outside the queue, and not prose.
    @Test func patternFindsQueueSQLAndNotProse() {
        for sql in [
            "UPDATE jobs SET state = 'cancelled'", "SELECT state::text, count(*) FROM jobs WHERE", "FROM jobs, jsonb_array_elements(errors) e",
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'running')", "VACUUM ANALYZE jobs", "LEFT JOIN jobs j ON",
            "SELECT 1 FROM job_queues p", "DELETE FROM job_leaders WHERE", "INSERT INTO jobs (queue, kind)",
            "INSERT INTO job_groups AS g (key, max_running)",
        ] {
            #expect(!Self.hits(in: sql).isEmpty, "\(sql)")
        }
        for prose in [
            "/// Cancels unfinished jobs of the connection.", "help: \"Only jobs in this queue (sync, backfill).\"",
            "let jobs = try await queue.list(filter)", "print(\"drained \\(done) of \\(jobs) jobs\")",
            "meterbridge jobs list --state discarded", "jobs.isEmpty ? \"-\" : jobs", "if jobs.count > 0 {",
            "(a cost import's COPY, a migration, pruning jobs)",
        ] {
            #expect(Self.hits(in: prose).isEmpty, "\(prose)")
        }
    }
}

/// Every table and view has one owner module that reads and writes it; the others use its typed read
/// models. A statement on another module's table fails here, wherever it is added.
@Suite("Every table's owner", .timeLimit(.minutes(1)))
struct EveryTableOwnerTests {
    /// Owner module (its directory under `Sources/`) → the tables and views only it may name in SQL.
    static let owners: [String: [String]] = [
        "JobQueue": ["jobs", "job_queues", "job_leaders", "job_groups"],
        "Importer": [
            "connections", "customers", "billable_metrics", "credit_types", "business_metrics", "metric_values",
            "metric_value_counts", "import_coverage", "import_refreshes", "rate_limits", "plan_projections", "customer_labels",
            "metric_values_labeled", "metric_complete_through",
        ],
        "UnitEconomics": [
            "cost_imports", "cost_daily", "cost_sources", "cost_reports", "cost_report_rows", "cost_report_daily",
            "customer_tag_matches", "daily_cost_by_customer", "unit_cost_daily", "customer_margin_daily",
        ],
        "Schema": ["schema_migrations"],
    ]

    /// Not owners and not users: the benchmarks and fault suite seed and check the database directly (they
    /// measure the modules, they are not one of them); the sandbox has no database (its hostile customer
    /// names quote SQL); the MCP server's catalog text shows assistants example queries of the BI views.
    static let exempt = ["Sources/meterbridge-bench/", "Sources/MetronomeSandbox/", "Sources/MCPServer/CatalogResources.swift"]

    /// SQL naming any owned table, capturing the table's name: one pass over each line.
    static func statement() throws -> Regex<AnyRegexOutput> {
        try Regex(#"(?i)\b(?:from|join|into|update|table|analyze)\s+("# + owners.values.joined().joined(separator: "|") + #")\b"#)
    }

    @Test func everyTableIsNamedOnlyByItsOwner() throws {
        let sources = OwnershipTests.repository.appendingPathComponent("Sources")
        let files = (FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
            .filter { $0.pathExtension == "swift" && $0.lastPathComponent != "EmbeddedMigrations.swift" }
        #expect(files.count > 50)
        let statement = try Self.statement()
        let ownerOf = Dictionary(uniqueKeysWithValues: Self.owners.flatMap { owner, tables in tables.map { ($0, owner) } })
        var offenders: [String] = []
        for file in files {
            let path = file.path.replacingOccurrences(of: OwnershipTests.repository.path + "/", with: "")
            guard !Self.exempt.contains(where: { path.hasPrefix($0) }) else { continue }
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() {
                for match in line.matches(of: statement) {
                    guard let table = match.output[1].substring.map({ String($0).lowercased() }), let owner = ownerOf[table],
                        !path.hasPrefix("Sources/\(owner)/")
                    else { continue }
                    offenders.append("\(path):\(index + 1) names \(owner)'s \(table): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(offenders.isEmpty, "SQL on another module's table:\n\(offenders.joined(separator: "\n"))")
    }

    /// Every table and view the migrations create has an owner here.
    @Test func everyTableHasAnOwner() throws {
        let migrations = OwnershipTests.repository.appendingPathComponent("sql/migrations")
        var created: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(at: migrations, includingPropertiesForKeys: nil) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: try Regex(#"CREATE (?:TABLE|VIEW|MATERIALIZED VIEW) (?:IF NOT EXISTS )?([a-z_]+)"#)) {
                if let name = match.output[1].substring { created.insert(String(name)) }
            }
        }
        let owned = Set(Self.owners.values.joined())
        #expect(!created.isEmpty)
        #expect(created.subtracting(owned).isEmpty, "tables without an owner: \(created.subtracting(owned).sorted())")
    }
}
