import Foundation
import JobQueue
import Postgres
import Testing
import TestSupport

@Suite("Claiming", .timeLimit(.minutes(5)))
struct ClaimTests {
    @Test func tenThousandJobsEightClaimersEachCompletedExactlyOnce() async throws {
        let fixture = try await QueueFixture.make(poolSize: 2)
        let total = 10_000
        let jobs = (0..<total).map { NewJob(kind: "noop", argsJSON: "{\"n\": \($0)}") }
        let inserted = try await fixture.queue.enqueue(jobs)
        #expect(inserted.count == total)

        // Eight claimers, each on its own connection, claiming batches of varying size and completing
        // every job with a fenced statement.
        let completedByClaimer = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for claimer in 0..<8 {
                group.addTask {
                    let connection = try await fixture.database.connect(applicationName: "claimer-\(claimer)")
                    var completed: [Int64] = []
                    while true {
                        let limit = 1 + completed.count % 7
                        let batch = try await connection.run { connection in
                            let jobs = try JobQueue.claim(
                                queues: ["default"], limit: limit, workerID: "claimer-\(claimer)",
                                lease: .seconds(60), on: connection)
                            for job in jobs { try JobQueue.complete(job.lease, on: connection) }
                            return jobs.map(\.id)
                        }
                        if batch.isEmpty { break }
                        completed += batch
                    }
                    await connection.close()
                    return completed
                }
            }
            return try await group.reduce(into: [[Int64]]()) { $0.append($1) }
        }
        let all = completedByClaimer.flatMap { $0 }
        #expect(all.count == total, "a job was claimed twice or lost")
        #expect(Set(all) == Set(inserted), "every inserted job completed")
        #expect(completedByClaimer.filter { !$0.isEmpty }.count > 1, "claimers ran concurrently")
        let states = try await fixture.queue.pool.query("SELECT state::text, count(*) FROM jobs GROUP BY 1")
        #expect(try states.map { try $0.decode(String.self, at: 0) } == ["completed"])
        #expect(try states[0].decode(Int.self, at: 1) == total)
        await fixture.close()
    }

    @Test func claimOrdersByPriorityThenRunAtAndSkipsFutureJobs() async throws {
        let fixture = try await QueueFixture.make()
        let now = Date()
        let low = try await fixture.queue.enqueue(NewJob(kind: "k", priority: 3, runAt: now.addingTimeInterval(-10)))
        let highLater = try await fixture.queue.enqueue(NewJob(kind: "k", priority: 1, runAt: now.addingTimeInterval(-1)))
        let highEarlier = try await fixture.queue.enqueue(NewJob(kind: "k", priority: 1, runAt: now.addingTimeInterval(-5)))
        _ = try await fixture.queue.enqueue(NewJob(kind: "k", priority: 0, runAt: now.addingTimeInterval(3600)))
        var order: [JobQueue.EnqueueResult] = []
        while let job = try await fixture.claimOne() {
            order.append(.inserted(id: job.id))
            #expect(job.attempt == 1)
        }
        #expect(order == [highEarlier, highLater, low])
        await fixture.close()
    }

    @Test func claimOnlyTouchesTheNamedQueues() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(NewJob(kind: "k", queue: "backfill"))
        #expect(try await fixture.claimOne(queues: ["default"]) == nil)
        #expect(try await fixture.claimOne(queues: ["default", "backfill"])?.queue == "backfill")
        await fixture.close()
    }

    @Test func argsAndCursorRoundTrip() async throws {
        struct Args: Codable, Equatable { var metric: String; var from: String }
        struct Cursor: Codable, Equatable { var nextPage: String }
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(try NewJob(kind: "import", args: Args(metric: "Zoë ünits", from: "2026-01-01")))
        let job = try #require(try await fixture.claimOne())
        #expect(try job.args(as: Args.self) == Args(metric: "Zoë ünits", from: "2026-01-01"))
        #expect(try job.cursor(as: Cursor.self) == nil)
        try await fixture.queue.checkpoint(job.lease, cursor: Cursor(nextPage: "abc=="))
        try await fixture.queue.release(job.lease)
        let again = try #require(try await fixture.claimOne())
        #expect(try again.cursor(as: Cursor.self) == Cursor(nextPage: "abc=="))
        #expect(again.attempt == 1, "release does not use an attempt")
        await fixture.close()
    }
}
