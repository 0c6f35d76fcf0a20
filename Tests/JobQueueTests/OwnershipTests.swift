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
