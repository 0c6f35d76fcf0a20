import Foundation
import JobQueue
import Postgres
import Testing
import TestSupport

@Suite("Operating the queue", .timeLimit(.minutes(5)))
struct OperatorTests {
    @Test func duplicateUniqueKeyIsANoOpUntilTheJobFinishes() async throws {
        let fixture = try await QueueFixture.make()
        let job = NewJob(kind: "import", uniqueKey: "metric-1/2026-01")
        let first = try await fixture.queue.enqueue(job)
        guard case .inserted(let id) = first else { Issue.record("not inserted"); return }
        #expect(try await fixture.queue.enqueue(job) == .duplicate(existingID: id))
        // Bulk enqueue skips keys already held and keys repeated within the batch.
        let bulk = try await fixture.queue.enqueue([
            job, NewJob(kind: "import", uniqueKey: "other"), NewJob(kind: "import", uniqueKey: "other"),
            NewJob(kind: "import"),
        ])
        #expect(bulk.count == 2)
        // Still held while running.
        let claimed = try #require(try await fixture.claimOne())
        #expect(claimed.id == id)
        #expect(try await fixture.queue.enqueue(job) == .duplicate(existingID: id))
        try await fixture.queue.complete(claimed.lease)
        // Completed: the key is free again.
        guard case .inserted(let again) = try await fixture.queue.enqueue(job) else {
            Issue.record("the key should be free after completion")
            return
        }
        #expect(again != id)
        await fixture.close()
    }

    @Test func requeueRaisesMaxAttemptsAndRunsTheJobAgain() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(NewJob(kind: "import", argsJSON: #"{"metric": 7}"#, maxAttempts: 1))
        try await fixture.queue.enqueue(NewJob(kind: "import", argsJSON: #"{"metric": 8}"#, maxAttempts: 1))
        for _ in 0..<2 {
            let job = try #require(try await fixture.claimOne())
            #expect(try await fixture.queue.fail(job, error: "down") == .discarded)
        }
        // By filter: only metric 7.
        let requeued = try await fixture.queue.admin.requeue(JobQueue.Filter(kind: "import", argsContainJSON: #"{"metric": 7}"#))
        #expect(requeued == [1])
        let again = try #require(try await fixture.claimOne())
        #expect(again.id == 1)
        #expect(again.attempt == 2)
        #expect(again.maxAttempts == 2)
        try await fixture.queue.complete(again.lease)
        // By id.
        #expect(try await fixture.queue.admin.requeue(JobQueue.Filter(ids: [2])) == [2])
        #expect(try await fixture.state(2) == .available)
        // Completed jobs are not requeued.
        #expect(try await fixture.queue.admin.requeue(JobQueue.Filter(ids: [1])).isEmpty)
        await fixture.close()
    }

    @Test func requeueLeavesAJobWhoseKeyIsHeldByAnotherUnfinishedJob() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(NewJob(kind: "k", maxAttempts: 1, uniqueKey: "w1"))
        let job = try #require(try await fixture.claimOne())
        try await fixture.queue.discard(job.lease, reason: "gone")
        try await fixture.queue.enqueue(NewJob(kind: "k", uniqueKey: "w1"))
        #expect(try await fixture.queue.admin.requeue(JobQueue.Filter(ids: [job.id])).isEmpty)
        await fixture.close()
    }

    @Test func cancelStopsUnfinishedJobs() async throws {
        let fixture = try await QueueFixture.make()
        for n in 0..<3 { try await fixture.queue.enqueue(NewJob(kind: n == 2 ? "other" : "k")) }
        let running = try #require(try await fixture.claimOne())
        let cancelled = try await fixture.queue.admin.cancel(JobQueue.Filter(kind: "k"))
        #expect(cancelled == [1, 2])
        await #expect(throws: JobQueueError.leaseLost(jobID: running.id)) { try await fixture.queue.complete(running.lease) }
        #expect(try await fixture.claimOne()?.kind == "other")
        #expect(try await fixture.queue.admin.requeue(JobQueue.Filter(state: .cancelled)) == [1, 2])
        await fixture.close()
    }

    @Test func pausedQueueIsNotClaimed() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(NewJob(kind: "k", queue: "backfill"))
        try await fixture.queue.enqueue(NewJob(kind: "k", queue: "daily"))
        try await fixture.queue.admin.pause(queue: "backfill")
        let claimed = try await fixture.queue.claim(queues: ["backfill", "daily"], limit: 10, workerID: "w")
        #expect(claimed.map(\.queue) == ["daily"])
        try await fixture.queue.admin.resume(queue: "backfill")
        #expect(try await fixture.queue.claim(queues: ["backfill"], limit: 10, workerID: "w").map(\.queue) == ["backfill"])
        await fixture.close()
    }

    @Test func pruneDeletesOnlyOldFinishedJobsInBatches() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue((0..<5).map { _ in NewJob(kind: "k") })
        let jobs = try await fixture.queue.claim(queues: ["default"], limit: 4, workerID: "w")
        try await fixture.queue.complete(Array(jobs.map(\.lease)))
        try await fixture.queue.pool.query("UPDATE jobs SET finalized_at = now() - interval '8 days' WHERE id <= 3")
        #expect(try await fixture.queue.housekeeping.prune(retention: .seconds(7) * 86_400, limit: 2) == 2)
        #expect(try await fixture.queue.housekeeping.prune(retention: .seconds(7) * 86_400, limit: 2) == 1)
        #expect(try await fixture.queue.housekeeping.prune(retention: .seconds(7) * 86_400, limit: 2) == 0)
        let left = try await fixture.queue.pool.query("SELECT id FROM jobs ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
        #expect(left == [4, 5], "a recent completed job and an unfinished one stay")
        await fixture.close()
    }

    @Test func oneLeaderAtATime() async throws {
        let fixture = try await QueueFixture.make()
        #expect(try await fixture.queue.housekeeping.tryLead(role: "maintenance", candidate: "a", ttl: .seconds(30)))
        #expect(try await !fixture.queue.housekeeping.tryLead(role: "maintenance", candidate: "b", ttl: .seconds(30)))
        #expect(try await fixture.queue.housekeeping.tryLead(role: "maintenance", candidate: "a", ttl: .seconds(30)), "renewal")
        try await fixture.queue.housekeeping.resign(role: "maintenance", candidate: "a")
        #expect(try await fixture.queue.housekeeping.tryLead(role: "maintenance", candidate: "b", ttl: .seconds(30)))
        // An expired leadership passes to the next candidate.
        try await fixture.queue.pool.query("UPDATE job_leaders SET expires_at = now() - interval '1 second'")
        #expect(try await fixture.queue.housekeeping.tryLead(role: "maintenance", candidate: "c", ttl: .seconds(30)))
        await fixture.close()
    }

    @Test func enqueueNotifiesListeners() async throws {
        let fixture = try await QueueFixture.make()
        let listener = try await fixture.database.connect()
        try await listener.listen("meterbridge_jobs")
        // The channel is database-wide, so other tests' notifications may arrive too: wait for ours.
        let queueName = "daily-\(UUID())"
        try await fixture.queue.enqueue(NewJob(kind: "k", queue: queueName))
        var received: [PostgresConnection.Notification] = []
        try await waitUntil("the notification for \(queueName) arrives", pollingEvery: .zero) {
            received += try await listener.waitForNotifications(timeoutMilliseconds: 1_000)
            return received.contains { $0.payload == queueName }
        }
        #expect(received.filter { $0.payload == queueName }.count == 1)
        await listener.close()
        await fixture.close()
    }
}
