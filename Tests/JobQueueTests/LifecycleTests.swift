import Backoff
import Foundation
import JobQueue
import Postgres
import Testing
import TestSupport

@Suite("Job lifecycle", .timeLimit(.minutes(5)))
struct LifecycleTests {
    @Test func expiredLeaseIsRescuedAndTheStaleClaimerIsFencedOut() async throws {
        let fixture = try await QueueFixture.make { $0.lease = .seconds(0.05) }
        let enqueued = try await fixture.queue.enqueue(NewJob(kind: "k"))
        guard case .inserted(let id) = enqueued else { Issue.record("not inserted"); return }
        let stale = try #require(try await fixture.claimOne(worker: "stale"))
        // The stale claimer never heartbeats. Rescue as soon as the lease has expired on the server.
        var rescued: [Int64] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while rescued.isEmpty && ContinuousClock.now < deadline {
            rescued = try await fixture.queue.housekeeping.rescueExpired()
        }
        #expect(rescued == [id])
        #expect(try await fixture.state(id) == .available)

        let fresh = JobQueue(
            pool: fixture.queue.pool, configuration: JobQueue.Configuration(), logger: TestDatabase.logger)
        let reclaimed = try #require(try await fresh.claim(queues: ["default"], limit: 1, workerID: "fresh").first)
        #expect(reclaimed.id == id)
        #expect(reclaimed.attempt == 2)

        // Every state change by the stale claimer is refused and changes nothing.
        await #expect(throws: JobQueueError.leaseLost(jobID: id)) { try await fixture.queue.complete(stale.lease) }
        await #expect(throws: JobQueueError.leaseLost(jobID: id)) {
            try await fixture.queue.fail(stale, error: "late failure")
        }
        await #expect(throws: JobQueueError.leaseLost(jobID: id)) {
            try await fixture.queue.checkpoint(stale.lease, cursor: ["page": "stale"])
        }
        await #expect(throws: JobQueueError.leaseLost(jobID: id)) { try await fixture.queue.snooze(stale.lease, for: .seconds(1)) }
        await #expect(throws: JobQueueError.leaseLost(jobID: id)) { try await fixture.queue.release(stale.lease) }
        #expect(try await fixture.queue.complete([stale.lease]).isEmpty)
        #expect(try await fixture.queue.heartbeat([stale.lease]).isEmpty)

        let record = try #require(try await fixture.queue.admin.job(id: id))
        #expect(record.state == .running)
        #expect(record.lockedBy == "fresh")
        #expect(record.cursorJSON == nil)
        #expect(record.errors.map(\.kind) == ["lease_expired"])

        try await fresh.complete(reclaimed.lease)
        #expect(try await fixture.state(id) == .completed)
        await fixture.close()
    }

    @Test func heartbeatKeepsTheLease() async throws {
        let fixture = try await QueueFixture.make { $0.lease = .seconds(30) }
        try await fixture.queue.enqueue(NewJob(kind: "k"))
        let job = try #require(try await fixture.claimOne())
        try await fixture.queue.pool.query("UPDATE jobs SET lease_expires_at = now() + interval '1 second'")
        #expect(try await fixture.queue.heartbeat([job.lease]) == [job.id])
        let record = try #require(try await fixture.queue.admin.job(id: job.id))
        #expect(record.leaseExpiresAt! > Date().addingTimeInterval(20))
        #expect(try await fixture.queue.housekeeping.rescueExpired().isEmpty)
        await fixture.close()
    }

    @Test func snoozeKeepsTheAttempt() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(NewJob(kind: "k"))
        let first = try #require(try await fixture.claimOne())
        #expect(first.attempt == 1)
        #expect(try await fixture.queue.snooze(first.lease, for: .seconds(120), reason: "429"))
        let record = try #require(try await fixture.queue.admin.job(id: first.id))
        #expect(record.state == .available)
        #expect(record.attempt == 0)
        #expect(record.snoozes == 1)
        #expect(record.runAt > Date().addingTimeInterval(100))
        #expect(try await fixture.claimOne() == nil, "a snoozed job waits")
        try await fixture.makeDue(first.id)
        let second = try #require(try await fixture.claimOne())
        #expect(second.attempt == 1, "the snooze gave the attempt back")
        #expect(second.snoozes == 1)
        await fixture.close()
    }

    @Test func snoozeCapDiscards() async throws {
        let fixture = try await QueueFixture.make { $0.maxSnoozes = 2 }
        try await fixture.queue.enqueue(NewJob(kind: "k"))
        for round in 0..<3 {
            let job = try #require(try await fixture.claimOne())
            let kept = try await fixture.queue.snooze(job.lease, for: .seconds(0), reason: "rate limited")
            #expect(kept == (round < 2))
        }
        let record = try #require(try await fixture.queue.admin.job(id: 1))
        #expect(record.state == .discarded)
        #expect(record.errors.last?.kind == "snooze_limit")
        #expect(record.errors.last?.error.contains("rate limited") == true)
        await fixture.close()
    }

    @Test func failureSchedulesTheBackoffAndTheLastAttemptDiscardsWithTheWholeHistory() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(NewJob(kind: "k", maxAttempts: 3))
        let backoff = Backoff.jobRetry
        for attempt in 1...3 {
            let job = try #require(try await fixture.claimOne())
            #expect(Int(job.attempt) == attempt)
            let before = Date()
            let outcome = try await fixture.queue.fail(job, error: "boom \(attempt)")
            if attempt < 3 {
                guard case .retryAt(let at) = outcome else {
                    Issue.record("expected a retry, got \(outcome)")
                    return
                }
                let base = backoff.delaySeconds(retry: attempt, random: 0.5)
                let delay = at.timeIntervalSince(before)
                #expect(delay >= base * 0.9 - 1 && delay <= base * 1.1 + 1, "attempt \(attempt): \(delay)s")
                #expect(try await fixture.state(job.id) == .retryable)
                #expect(try await fixture.claimOne() == nil, "a retryable job waits for its backoff")
                #expect(try await fixture.queue.housekeeping.promoteDue() == 0, "not due yet")
                try await fixture.makeDue(job.id)
                #expect(try await fixture.queue.housekeeping.promoteDue() == 1)
            } else {
                #expect(outcome == .discarded)
            }
        }
        let record = try #require(try await fixture.queue.admin.job(id: 1))
        #expect(record.state == .discarded)
        #expect(record.finalizedAt != nil)
        #expect(record.errors.map(\.attempt) == [1, 2, 3])
        #expect(record.errors.map(\.error) == ["boom 1", "boom 2", "boom 3"])
        await fixture.close()
    }

    @Test func discardRecordsTheReason() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(NewJob(kind: "k"))
        let job = try #require(try await fixture.claimOne())
        try await fixture.queue.discard(job.lease, reason: "400: bad window")
        let record = try #require(try await fixture.queue.admin.job(id: job.id))
        #expect(record.state == .discarded)
        #expect(record.errors.map(\.attempt) == [1])
        #expect(record.errors.map(\.error) == ["400: bad window"])
        #expect(record.errors.map(\.kind) == ["discarded"])
        await fixture.close()
    }

    @Test func workAndCompletionCommitAtomically() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.pool.query("CREATE TABLE imported (value int)")
        try await fixture.queue.enqueue(NewJob(kind: "k"))
        try await fixture.queue.enqueue(NewJob(kind: "k"))
        let first = try #require(try await fixture.claimOne())
        let second = try #require(try await fixture.claimOne())
        try await fixture.queue.pool.transaction { connection in
            try connection.query("INSERT INTO imported VALUES (1)")
            try JobQueue.checkpoint(first.lease, cursorJSON: "{\"page\": 2}", on: connection)
            try JobQueue.complete(first.lease, on: connection)
        }
        // The second job was cancelled meanwhile: its writes must roll back with the refused completion.
        try await fixture.queue.admin.cancel(JobQueue.Filter(ids: [second.id]))
        await #expect(throws: JobQueueError.leaseLost(jobID: second.id)) {
            try await fixture.queue.pool.transaction { connection in
                try connection.query("INSERT INTO imported VALUES (2)")
                try JobQueue.complete(second.lease, on: connection)
            }
        }
        let values = try await fixture.queue.pool.query("SELECT value FROM imported").map { try $0.decode(Int.self, at: 0) }
        #expect(values == [1])
        #expect(try await fixture.state(first.id) == .completed)
        #expect(try await fixture.state(second.id) == .cancelled)
        await fixture.close()
    }

    @Test func lastAttemptExpiringIsDiscardedByTheRescuer() async throws {
        let fixture = try await QueueFixture.make { $0.lease = .seconds(0.01) }
        try await fixture.queue.enqueue(NewJob(kind: "k", maxAttempts: 1))
        let job = try #require(try await fixture.claimOne())
        try await waitUntil("the rescuer finds the expired lease", pollingEvery: .milliseconds(1)) {
            try await !fixture.queue.housekeeping.rescueExpired().isEmpty
        }
        #expect(try await fixture.state(job.id) == .discarded)
        await fixture.close()
    }
}

@Suite("Job retry backoff", .timeLimit(.minutes(5)))
struct JobRetryBackoffTests {
    @Test(arguments: [(1, 1.0), (2, 16.0), (3, 81.0), (4, 256.0), (5, 600.0), (20, 600.0)])
    func attemptToTheFourthCappedAtTenMinutes(attempt: Int, seconds: Double) {
        let backoff = Backoff.jobRetry
        #expect(abs(backoff.delaySeconds(retry: attempt, random: 0.5) - seconds) < 1e-9)
        #expect(abs(backoff.delaySeconds(retry: attempt, random: 0) - min(seconds * 0.9, 600)) < 1e-9)
        #expect(abs(backoff.delaySeconds(retry: attempt, random: 1) - min(seconds * 1.1, 600)) < 1e-9)
    }

    @Test func jitterStaysWithinTenPercent() {
        let backoff = Backoff.jobRetry
        for _ in 0..<1_000 {
            let delay = backoff.delaySeconds(retry: 3)
            #expect(delay >= 81 * 0.9 - 1e-9 && delay <= 81 * 1.1 + 1e-9)
        }
    }
}
