import Foundation
import Logging
import JobQueue
import Postgres
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

/// A handler built from a closure.
struct ClosureHandler: JobHandler {
    let body: @Sendable (ClaimedJob, JobContext) async throws -> JobOutcome
    func handle(_ job: ClaimedJob, context: JobContext) async throws -> JobOutcome { try await body(job, context) }
}

/// Counts concurrent executions.
final class Concurrency: Sendable {
    private let state = Mutex<(current: Int, peak: Int, total: Int)>((0, 0, 0))
    func enter() { state.withLock { $0.current += 1; $0.peak = max($0.peak, $0.current); $0.total += 1 } }
    func leave() { state.withLock { $0.current -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
    var total: Int { state.withLock { $0.total } }
}

@Suite("Worker", .timeLimit(.minutes(5)))
struct WorkerTests {
    func options(concurrency: Int = 4) -> JobWorker.Options {
        var options = JobWorker.Options()
        options.concurrency = concurrency
        options.exitWhenIdle = true
        options.pollInterval = .seconds(0.05)
        return options
    }

    @Test func runsEveryJobWithBoundedConcurrencyAndExitsWhenIdle() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue((0..<300).map { NewJob(kind: "noop", argsJSON: "{\"n\": \($0)}") })
        let concurrency = Concurrency()
        let handler = ClosureHandler { _, _ in
            concurrency.enter()
            defer { concurrency.leave() }
            await Task.yield()
            return .complete
        }
        try await JobWorker(queue: fixture.queue, handler: handler, options: options(), logger: TestDatabase.logger).run()
        #expect(concurrency.total == 300)
        #expect(concurrency.peak <= 4)
        let counts = try await fixture.queue.admin.counts()
        #expect(counts.map(\.state) == [.completed])
        #expect(counts.map(\.count) == [300])
        await fixture.close()
    }

    @Test func outcomesAreRecorded() async throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom (safe to log)" } }
        let fixture = try await QueueFixture.make()
        for kind in ["complete", "snooze", "discard", "retry", "throw"] {
            try await fixture.queue.enqueue(NewJob(kind: kind, maxAttempts: 5))
        }
        let handler = ClosureHandler { job, _ in
            switch job.kind {
            case "complete": return .complete
            case "snooze": return .snooze(for: .seconds(3600), reason: "rate limited")
            case "discard": return .discard(reason: "400 bad request")
            case "retry": return .retry(error: "503", after: .seconds(3600))
            default: throw Boom()
            }
        }
        try await JobWorker(queue: fixture.queue, handler: handler, options: options(), logger: TestDatabase.logger).run()
        let jobs = Dictionary(uniqueKeysWithValues: try await fixture.queue.admin.list(JobQueue.Filter()).map { ($0.kind, $0) })
        #expect(jobs["complete"]?.state == .completed)
        #expect(jobs["snooze"]?.state == .available)
        #expect(jobs["snooze"]?.attempt == 0)
        #expect(jobs["discard"]?.state == .discarded)
        #expect(jobs["discard"]?.errors.map(\.error) == ["400 bad request"])
        #expect(jobs["retry"]?.state == .retryable)
        #expect(jobs["retry"].map { $0.runAt > Date().addingTimeInterval(3000) } == true)
        #expect(jobs["throw"]?.state == .retryable)
        #expect(jobs["throw"]?.errors.map(\.error) == ["boom (safe to log)"])
        await fixture.close()
    }

    @Test func gracefulShutdownReleasesRunningJobsWithoutUsingAnAttempt() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(NewJob(kind: "slow"))
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let handler = ClosureHandler { _, _ in
            startedContinuation.yield()
            try await Task.sleep(for: .seconds(600))  // until cancelled by the shutdown
            return .complete
        }
        var workerOptions = options()
        workerOptions.exitWhenIdle = false
        workerOptions.shutdownGrace = .seconds(0.1)
        let worker = JobWorker(queue: fixture.queue, handler: handler, options: workerOptions, logger: TestDatabase.logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [worker], logger: TestDatabase.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = started.makeAsyncIterator()
            _ = await iterator.next()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let job = try #require(try await fixture.queue.admin.job(id: 1))
        #expect(job.state == .available)
        #expect(job.attempt == 0)
        #expect(job.lockedBy == nil)
        await fixture.close()
    }

    @Test func notificationWakesAnIdleWorker() async throws {
        let fixture = try await QueueFixture.make()
        let (done, doneContinuation) = AsyncStream<Int64>.makeStream()
        let handler = ClosureHandler { job, _ in
            doneContinuation.yield(job.id)
            return .complete
        }
        var workerOptions = options()
        workerOptions.exitWhenIdle = false
        workerOptions.pollInterval = .seconds(3_600)  // only a notification can wake it in time
        workerOptions.queues = ["wake-\(UUID())"]
        let worker = JobWorker(queue: fixture.queue, handler: handler, options: workerOptions, logger: TestDatabase.logger)
        let queueName = workerOptions.queues[0]
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await worker.run() }
            // Enqueue repeatedly until the worker (once its listener is up) picks a job: no sleeps.
            var handled: Int64?
            try await withThrowingTaskGroup(of: Int64?.self) { inner in
                inner.addTask {
                    var iterator = done.makeAsyncIterator()
                    return await iterator.next()
                }
                inner.addTask {
                    for _ in 0..<600 {
                        try await fixture.queue.enqueue(NewJob(kind: "k", queue: queueName))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    return nil
                }
                handled = try await inner.next() ?? nil
                inner.cancelAll()
            }
            #expect(handled != nil)
            tasks.cancelAll()
        }
        await fixture.close()
    }

    @Test func maintenanceLeaderRescuesPromotesAndPrunes() async throws {
        let fixture = try await QueueFixture.make { $0.lease = .seconds(0.01) }
        try await fixture.queue.enqueue((0..<3).map { _ in NewJob(kind: "k") })
        let expired = try #require(try await fixture.claimOne())
        let failed = try #require(try await fixture.claimOne())
        _ = try await fixture.queue.fail(failed, error: "x", retryAfter: .seconds(0))
        let done = try #require(try await fixture.claimOne())
        try await fixture.queue.complete(done.lease)
        try await fixture.queue.pool.query("UPDATE jobs SET finalized_at = now() - interval '30 days' WHERE id = $1", [done.id])

        var leaderOptions = QueueMaintenance.Options()
        leaderOptions.candidateID = "leader"
        var otherOptions = QueueMaintenance.Options()
        otherOptions.candidateID = "other"
        let leader = QueueMaintenance(queue: fixture.queue, options: leaderOptions, logger: TestDatabase.logger)
        let other = QueueMaintenance(queue: fixture.queue, options: otherOptions, logger: TestDatabase.logger)
        #expect(try await leader.runOnce())
        #expect(try await !other.runOnce(), "only one leader")
        try await waitUntil("the leader rescues the expired job") {
            try await leader.runOnce()
            return try await fixture.state(expired.id) == .available
        }
        #expect(try await fixture.state(failed.id) == .available)
        #expect(try await fixture.queue.admin.job(id: done.id) == nil)
        await fixture.close()
    }
}

@Suite("Worker under database trouble", .timeLimit(.minutes(5)))
struct WorkerDatabaseTroubleTests {
    /// A claim failing with an error that is not transient (here the queue table is gone, as during a
    /// botched migration) used to end the worker. Now it logs, backs off, and claims again once the
    /// database is back.
    @Test func aFailingClaimNeverStopsTheWorker() async throws {
        let fixture = try await QueueFixture.make()
        let log = RecordingLog()
        try await fixture.queue.pool.query("ALTER TABLE jobs RENAME TO jobs_away")
        var options = JobWorker.Options()
        options.pollInterval = .seconds(0.05)
        let handler = ClosureHandler { _, _ in .complete }
        let worker = Task { try await JobWorker(queue: fixture.queue, handler: handler, options: options, logger: log.logger).run() }
        // Wait for two failed claims (bounded).
        for _ in 0..<1_000 where log.all.filter({ $0 == "claim failed; retrying" }).count < 2 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(log.all.filter { $0 == "claim failed; retrying" }.count >= 2)
        // The database recovers: the worker picks up new work.
        try await fixture.queue.pool.query("ALTER TABLE jobs_away RENAME TO jobs")
        let id = try #require(try await fixture.queue.enqueue([NewJob(kind: "after")]).first)
        for _ in 0..<3_000 where try await fixture.state(id) != .completed {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try await fixture.state(id) == .completed)
        worker.cancel()
        _ = await worker.result
        await fixture.close()
    }

    /// A worker says how it is doing while jobs run (not only "started" and "exiting"), and what it did
    /// when it exits. The first job waits for the first progress line, so one is always logged.
    @Test func progressIsLoggedWhileJobsRunAndTotalsAtExit() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue((0..<20).map { NewJob(kind: "noop", argsJSON: "{\"n\": \($0)}") })
        let log = RecordingLog()
        var workerOptions = JobWorker.Options()
        workerOptions.concurrency = 4
        workerOptions.exitWhenIdle = true
        workerOptions.pollInterval = .seconds(0.05)
        workerOptions.progressInterval = .seconds(0.05)
        let handler = ClosureHandler { job, _ in
            if job.argsJSON.contains("\"n\": 0}") {
                for _ in 0..<1_000 where !log.all.contains("progress") { try await Task.sleep(for: .milliseconds(10)) }
            }
            return .complete
        }
        try await JobWorker(queue: fixture.queue, handler: handler, options: workerOptions, logger: log.logger).run()
        let progress = log.events.filter { $0.message == "progress" }
        #expect(!progress.isEmpty)
        #expect(progress.allSatisfy { $0.metadata["jobs.running"] != nil && $0.metadata["jobs.completed"] != nil })
        #expect(progress.reduce(0) { $0 + (Int($1.metadata["jobs.completed"] ?? "") ?? 0) } <= 20)
        let exit = try #require(log.events.last { $0.message == "queue is idle; exiting" })
        #expect(exit.metadata["jobs.completed"] == "20" && exit.metadata["jobs.failed"] == "0", "\(exit.metadata)")
        await fixture.close()
    }

    @Test func claimBackoffGrowsWithJitterAndIsCapped() {
        for failures in 1...40 {
            let delay = JobWorker.claimBackoff(failures: failures).seconds
            let ceiling = min(30, 0.1 * pow(2, Double(min(failures, 20) - 1)))
            #expect(delay >= ceiling / 2 && delay <= ceiling)
        }
    }
}

@Suite("Held jobs", .timeLimit(.minutes(5)))
struct HeldJobTests {
    /// A job waiting on an invalid connection used to be snoozed until the snooze limit discarded it
    /// (about 17 hours). A hold waits without limit and without using attempts.
    @Test func aHeldJobIsNeverDiscardedAndUsesNoAttempt() async throws {
        let fixture = try await QueueFixture.make { $0.maxSnoozes = 2 }
        let id = try #require(try await fixture.queue.enqueue([NewJob(kind: "waits", maxAttempts: 1)]).first)
        for _ in 0..<6 {
            try await fixture.makeDue(id)
            let job = try #require(try await fixture.claimOne())
            #expect(try await fixture.queue.snooze(job.lease, for: .seconds(300), reason: "connection invalid", counted: false))
        }
        let job = try #require(try await fixture.queue.admin.job(id: id))
        #expect(job.state == .available && job.attempt == 0 && job.snoozes == 0)
        // Woken when what it waited on is back.
        #expect(try await fixture.queue.wake(argsContainJSON: "{}") == 1)
        #expect(try await fixture.claimOne()?.id == id)
        await fixture.close()
    }
}
