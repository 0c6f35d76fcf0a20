import Foundation
import JobQueue
import MCP
import Postgres
import TestSupport
import Testing

extension MCPServerSuites {
    /// The tools that change data exist only with --allow-actions, say so, and do what the CLI does.
    @Suite("MCP action tools", .timeLimit(.minutes(5)))
    struct ActionToolTests {
        static func database() async throws -> TestDatabase {
            let database = try await TestDatabase.make()
            let connection = try await database.connect()
            try await connection.simpleQuery(
                """
                INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'main', 'http://sandbox', '\\x00');
                INSERT INTO customers (connection_id, id, name, ingest_aliases, import_batch) VALUES
                    (1, 'c-acme', 'Acme', '{acme}', 0), (1, 'c-beta', 'Beta', '{beta}', 0);
                INSERT INTO billable_metrics (connection_id, id, name, aggregation_type) VALUES (1, 'bm-req', 'requests', 'sum');
                INSERT INTO business_metrics (id, title, connection_id, kind, billable_metric_id, label_source, since)
                    VALUES (1, 'API requests', 1, 'usage', 'bm-req', 'customer_name', '2025-01-01');
                """)
            await connection.close()
            return database
        }

        @Test func actionsAreOfferedOnlyWhenAllowedAndSayTheyChangeData() async throws {
            let database = try await Self.database()
            let readOnly = try await ConnectedClient.connect(database)
            #expect(try await readOnly.client.listTools().tools.map(\.name).sorted() == MCPToolTests.readTools.sorted())
            await readOnly.close()

            let allowed = try await ConnectedClient.connect(database, allowActions: true)
            let tools = try await allowed.client.listTools().tools
            #expect(tools.count == MCPToolTests.readTools.count + 2)
            for name in ["retry_failed_jobs", "reimport"] {
                let tool = try #require(tools.first { $0.name == name })
                #expect(tool.description?.hasPrefix("CHANGES DATA") == true)
                #expect(tool.annotations.readOnlyHint == false)
            }
            await allowed.close()
        }

        @Test func retryFailedJobsRequeuesWhatJobsRetryWould() async throws {
            let database = try await Self.database()
            let pool = database.pool(size: 1)
            let queue = JobQueue(pool: pool, logger: MCPFixture.logger)
            // Two failed jobs: one of metric 1, one of another metric.
            for metric in [1, 2] {
                _ = try await queue.enqueue(
                    NewJob(
                        kind: "import_usage", argsJSON: "{\"connection_id\": 1, \"metric_ids\": [\(metric)]}",
                        queue: "backfill"))
            }
            let claimed = try await queue.claim(queues: ["backfill"], limit: 2, workerID: "test")
            #expect(claimed.count == 2)
            for job in claimed { try await queue.discard(job.lease, reason: "gave up") }
            let failed = try await queue.admin.list(JobQueue.Filter(state: .discarded)).map(\.id).sorted()

            let connected = try await ConnectedClient.connect(database, allowActions: true)
            let preview = try await connected.structured(
                "retry_failed_jobs", ["metric": "API requests", "dry_run": true])
            #expect(preview["count"] == 1 && preview["dry_run"] == .bool(true))
            #expect(try await queue.admin.list(JobQueue.Filter(state: .discarded)).count == 2, "a dry run changes nothing")

            let requeued = try await connected.structured("retry_failed_jobs", ["metric": "API requests"])
            #expect(requeued["job_ids"] == preview["job_ids"])
            let all = try await connected.structured("retry_failed_jobs", [:])
            #expect(all["count"] == 1, "the other metric's job")
            #expect(try await queue.admin.list(JobQueue.Filter(state: .discarded)).isEmpty)
            #expect(try await queue.admin.list(JobQueue.Filter(state: .available)).map(\.id).sorted() == failed)
            let unknown = try await connected.call("retry_failed_jobs", ["metric": "Nope"])
            #expect(unknown.isError == true && unknown.text.contains("no metric titled Nope"))
            await connected.close()
            await pool.close()
        }

        @Test func reimportEnqueuesJobsOnceAndRefusesBadRanges() async throws {
            let database = try await Self.database()
            let connected = try await ConnectedClient.connect(database, allowActions: true)
            let first = try await connected.structured(
                "reimport", ["metric": "API requests", "from": "2025-01-01", "to": "2025-03-31"])
            let enqueued = try #require(first["jobs_enqueued"]?.intValue)
            #expect(enqueued > 0)
            let again = try await connected.structured(
                "reimport", ["metric": "API requests", "from": "2025-01-01", "to": "2025-03-31"])
            #expect(again["jobs_enqueued"] == 0, "already queued")
            let reversed = try await connected.call(
                "reimport", ["metric": "API requests", "from": "2025-03-31", "to": "2025-01-01"])
            #expect(reversed.isError == true && reversed.text.contains("reversed"))
            let future = try await connected.call(
                "reimport", ["metric": "API requests", "from": "2025-01-01", "to": "2999-01-01"])
            #expect(future.isError == true && future.text.contains("in the future"))
            let pool = database.pool(size: 1)
            #expect(
                try await JobQueue(pool: pool, logger: MCPFixture.logger).admin.list(JobQueue.Filter(state: .available)).count
                    == enqueued)
            await pool.close()
            await connected.close()
        }
    }
}
