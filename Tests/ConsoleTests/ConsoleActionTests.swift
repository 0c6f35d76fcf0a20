import Console
import Foundation
import HTTPTypes
import Importer
import JobQueue
import TestSupport
import Testing

/// Retry, cancel, bulk retry, pause and resume, reimport: what they change, and the same result as the CLI.
@Suite("Console actions", .timeLimit(.minutes(5)))
struct ConsoleActionTests {
    /// Jobs of a queue of their own (so tests sharing the fixture do not see each other's), `discarded` of them discarded.
    func jobs(count: Int, discarded: Int, fixture: ConsoleFixture) async throws -> (queue: String, ids: [Int64]) {
        let pool = fixture.pool(size: 2)
        let queue = JobQueue(pool: pool, logger: ConsoleFixture.logger)
        let name = "t-\(UInt32.random(in: 0...UInt32.max))"
        var ids: [Int64] = []
        for index in 0..<count {
            if case .inserted(id: let id) = try await queue.enqueue(
                NewJob(kind: "import_usage", argsJSON: #"{"n":\#(index)}"#, queue: name))
            {
                ids.append(id)
            }
        }
        for claimed in try await queue.claim(queues: [name], limit: discarded, workerID: "test") {
            try await queue.discard(claimed.lease, reason: "test failure")
        }
        await pool.close()
        return (name, ids.sorted())
    }

    func states(_ ids: [Int64], fixture: ConsoleFixture) async throws -> [JobState] {
        let pool = fixture.pool(size: 1)
        let jobs = try await JobQueue(pool: pool, logger: ConsoleFixture.logger).admin.list(
            JobQueue.Filter(ids: ids), limit: 1_000)
        await pool.close()
        return ids.map { id in jobs.first { $0.id == id }!.state }
    }

    @Test func retryAndCancelOneJob() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let (_, ids) = try await jobs(count: 2, discarded: 1, fixture: fixture)
        let discarded = try #require(try await states(ids, fixture: fixture).firstIndex(of: .discarded)).advanced(by: 0)
        let failed = ids[discarded], waiting = ids[1 - discarded]
        try await ConsoleSession.run(fixture) { session in
            let csrf = try await session.csrf()
            let page = try await session.get("/jobs/\(failed)").text
            #expect(page.contains("action=\"/jobs/\(failed)/retry\"") && !page.contains("/cancel\""))
            let retried = try await session.post("/jobs/\(failed)/retry", [("csrf", csrf)])
            #expect(retried.status == .ok && retried.text.contains("Requeued job \(failed)."))
            // Retrying a job that is not failed changes nothing, as `jobs retry` does.
            let again = try await session.post("/jobs/\(waiting)/retry", [("csrf", csrf)])
            #expect(again.status == .conflict)
            let cancelled = try await session.post("/jobs/\(waiting)/cancel", [("csrf", csrf)])
            #expect(cancelled.status == .ok && cancelled.text.contains("Cancelled job \(waiting)."))
            #expect(try await session.post("/jobs/999999999/cancel", [("csrf", csrf)]).status == .notFound)
        }
        #expect(try await states([failed, waiting], fixture: fixture) == [.available, .cancelled])
    }

    @Test func bulkRetryConfirmsTheCountFirst() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let (name, ids) = try await jobs(count: 5, discarded: 3, fixture: fixture)
        try await ConsoleSession.run(fixture) { session in
            let csrf = try await session.csrf()
            let list = try await session.get("/jobs?state=discarded&queue=\(name)").text
            #expect(list.contains("/jobs/retry-failed?state=discarded&amp;queue=\(name)"))
            let confirm = try await session.get("/jobs/retry-failed?state=discarded&queue=\(name)").text
            #expect(confirm.contains("This requeues <strong>3</strong> failed"))
            #expect(confirm.contains("name=\"expected\" value=\"3\""))
            // A count that no longer matches (another job failed since, or a forged form) requeues nothing.
            let stale = try await session.post(
                "/jobs/retry-failed", [("csrf", csrf), ("queue", name), ("expected", "2")])
            #expect(stale.status == .conflict && stale.text.contains("nothing requeued"))
            #expect(try await states(ids, fixture: fixture).filter { $0 == .discarded }.count == 3)
            let done = try await session.post(
                "/jobs/retry-failed", [("csrf", csrf), ("queue", name), ("expected", "3")])
            #expect(done.status == .ok && done.text.contains("Requeued 3 job(s)."))
        }
        #expect(try await states(ids, fixture: fixture).allSatisfy { $0 == .available })
    }

    @Test func pauseAndResumeAQueue() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let name = "t-pause-\(UInt32.random(in: 0...UInt32.max))"
        let pool = fixture.pool(size: 1)
        let queue = JobQueue(pool: pool, logger: ConsoleFixture.logger)
        try await ConsoleSession.run(fixture) { session in
            let csrf = try await session.csrf()
            #expect(try await session.post("/queues/\(name)/pause", [("csrf", csrf)]).status == .ok)
            #expect(try await queue.admin.pausedQueues().contains(name))
            let overview = try await session.get("/").text
            #expect(overview.contains("action=\"/queues/\(name)/resume\""))
            #expect(try await session.post("/queues/\(name)/resume", [("csrf", csrf)]).status == .ok)
            #expect(try await !queue.admin.pausedQueues().contains(name))
            #expect(try await session.post("/queues/bad%20name/pause", [("csrf", csrf)]).status == .badRequest)
        }
        await pool.close()
    }

    @Test func reimportEnqueuesWhatTheCLIWould() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let pool = fixture.pool(size: 1)
        let queue = JobQueue(pool: pool, logger: ConsoleFixture.logger)
        let containment = ImportJobArgs.selecting(metricID: fixture.revenueMetric.id)
        let before = try await queue.admin.list(
            JobQueue.Filter(argsContainJSON: containment, state: .available), limit: 1_000
        ).count
        let day = fixture.to.adding(days: -3)
        try await ConsoleSession.run(fixture) { session in
            let csrf = try await session.csrf()
            let response = try await session.post(
                "/metrics/\(fixture.revenueMetric.id)/reimport", [("csrf", csrf), ("from", "\(day)"), ("to", "\(day)")])
            #expect(response.status == .ok)
            let added = try #require(
                ConsoleSession.capture(#"Enqueued (\d+) reimport job"#, in: response.text).flatMap { Int($0) })
            #expect(added > 0)
            #expect(
                try await queue.admin.list(JobQueue.Filter(argsContainJSON: containment, state: .available), limit: 1_000)
                    .count == before + added)
            // Rerunning while those jobs wait adds nothing (the planner's unique keys), as `meterbridge reimport` says.
            let again = try await session.post(
                "/metrics/\(fixture.revenueMetric.id)/reimport", [("csrf", csrf), ("from", "\(day)"), ("to", "\(day)")])
            #expect(again.text.contains("Enqueued 0 reimport job(s)"))
            let backwards = try await session.post(
                "/metrics/\(fixture.revenueMetric.id)/reimport",
                [("csrf", csrf), ("from", "\(day)"), ("to", "\(day.adding(days: -1))")])
            #expect(backwards.status == .badRequest)
        }
        // Cancel what this test queued, so no other test's worker-free expectations see it.
        try await queue.admin.cancel(JobQueue.Filter(argsContainJSON: containment, state: .available))
        await pool.close()
    }
}
