import Foundation
import JobQueue
import Postgres
import Synchronization
import Testing
import TestSupport

/// Job groups: a group's cap bounds its running jobs across every worker, and a claim serves the groups
/// with the fewest jobs running first, so a slot never goes to a job that could only wait on a resource
/// its group already saturates while another group has work.
@Suite("Job groups", .timeLimit(.minutes(5)))
struct GroupTests {
    static func jobs(_ count: Int, group: String?, cap: Int? = 5, priority: Int16 = 2) -> [NewJob] {
        (0..<count).map { index in
            NewJob(
                kind: "k", argsJSON: "{\"group\": \"\(group ?? "-")\", \"n\": \(index)}", priority: priority,
                group: group.map { JobGroup(key: $0, maxRunning: cap) })
        }
    }

    static func group(of job: ClaimedJob) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(job.argsJSON.utf8))) as? [String: Any])?["group"] as? String ?? "?"
    }

    /// A claim locks only the jobs it takes. It used to lock every group's candidates (one row lock per
    /// group and claim, 400 at 200 connections), which made each claim, and so the turnover of short jobs
    /// across many connections, slow: 200 connections × 2 requests/s went from 0.97 to 0.88 of their
    /// budgets when revenue jobs became five times shorter.
    @Test func aClaimLocksOnlyTheJobsItTakes() async throws {
        let fixture = try await QueueFixture.make()
        for index in 0..<40 { try await fixture.queue.enqueue(Self.jobs(2, group: "g\(index)", cap: 2)) }
        let (claimed, unlocked) = try await fixture.queue.pool.withConnection { claimer in
            try await claimer.query("BEGIN")
            let claimed = try await claimer.run { db in
                try JobQueue.claim(queues: ["default"], limit: 1, workerID: "w", lease: .seconds(60), on: db)
            }
            // Another session, while the claim's transaction is still open: every job not taken is free.
            let unlocked = try await fixture.queue.pool.query(
                "SELECT count(*) FROM (SELECT id FROM jobs WHERE state = 'available' FOR UPDATE SKIP LOCKED) free"
            ).single().decode(Int.self, at: 0)
            try await claimer.query("ROLLBACK")
            return (claimed.count, unlocked)
        }
        #expect(claimed == 1)
        #expect(unlocked == 79, "\(80 - 1 - unlocked) jobs locked beyond the one claimed")
        await fixture.close()
    }

    @Test func everyGroupGetsATurnBeforeAnyGetsMoreAndCapsHold() async throws {
        let fixture = try await QueueFixture.make()
        // A's backlog was queued first, as one large account's history would be.
        try await fixture.queue.enqueue(Self.jobs(10, group: "A"))
        try await fixture.queue.enqueue(Self.jobs(2, group: "B"))
        try await fixture.queue.enqueue(Self.jobs(2, group: "C"))

        let first = try await fixture.queue.claim(queues: ["default"], limit: 3, workerID: "w1")
        #expect(first.map(Self.group).sorted() == ["A", "B", "C"])
        let second = try await fixture.queue.claim(queues: ["default"], limit: 3, workerID: "w2")
        #expect(second.map(Self.group).sorted() == ["A", "B", "C"], "the running count is the fleet's, not a worker's")
        // B and C have nothing left: A fills up to its cap of 5, and no further.
        let third = try await fixture.queue.claim(queues: ["default"], limit: 10, workerID: "w1")
        #expect(third.map(Self.group) == ["A", "A", "A"])
        #expect(try await fixture.queue.claim(queues: ["default"], limit: 10, workerID: "w2").isEmpty)
        let a = try #require(try await fixture.queue.admin.groups().first { $0.key == "A" })
        #expect(a == JobGroupStatus(key: "A", maxRunning: 5, running: 5, available: 5))
        // A finished job frees one place of its group.
        try await fixture.queue.complete(try #require(third.first).lease)
        #expect(try await fixture.queue.claim(queues: ["default"], limit: 10, workerID: "w2").map(Self.group) == ["A"])
        await fixture.close()
    }

    /// Two workers claiming at the same instant: the second must count what the first took. Claimer A's
    /// claim is held open in a transaction; B's claim waits for it, then serves the groups A did not. (With
    /// claims that did not take turns, B saw nothing running, took the second jobs of A's groups, and left
    /// G3 and G4 without a slot for as long as those jobs ran.)
    @Test func concurrentClaimsTakeTurns() async throws {
        let fixture = try await QueueFixture.make()
        for group in ["G1", "G2", "G3", "G4"] { try await fixture.queue.enqueue(Self.jobs(3, group: group, cap: 2)) }
        let a = try await fixture.database.connect(applicationName: "claimer-a")
        let first = try await a.run { connection in
            try connection.simpleQuery("BEGIN")
            try connection.simpleQuery("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '.jobs.claim', 0))")
            return try JobQueue.claim(queues: ["default"], limit: 2, workerID: "a", lease: .seconds(60), on: connection)
        }
        #expect(first.map(Self.group) == ["G1", "G2"])
        let queue = fixture.queue
        let second = Task { try await queue.claim(queues: ["default"], limit: 2, workerID: "b") }
        // Without turns, B finishes at once and this wait runs out.
        try await waitUntil("the second claim waits for the first", timeout: .seconds(30)) {
            try await fixture.queue.pool.query(
                """
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                    AND ((classid::int8 << 32) | objid::int8) = hashtextextended(current_schema() || '.jobs.claim', 0)
                """
            ).single().decode(Int.self, at: 0) > 0
        }
        _ = try await a.run { connection in try connection.simpleQuery("COMMIT") }
        #expect(try await second.value.map(Self.group).sorted() == ["G3", "G4"])
        await a.close()
        await fixture.close()
    }

    @Test func priorityComesBeforeTurns() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(Self.jobs(3, group: "A", priority: 1))
        try await fixture.queue.enqueue(Self.jobs(3, group: "B", priority: 3))
        let claimed = try await fixture.queue.claim(queues: ["default"], limit: 4, workerID: "w")
        #expect(claimed.map(Self.group).sorted() == ["A", "A", "A", "B"])
        await fixture.close()
    }

    @Test func withoutACapOrAGroupJobsAreClaimedAsBefore() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(Self.jobs(4, group: "U", cap: nil))
        try await fixture.queue.enqueue(Self.jobs(3, group: nil))
        let claimed = try await fixture.queue.claim(queues: ["default"], limit: 10, workerID: "w")
        #expect(claimed.count == 7)
        #expect(claimed.map(Self.group).sorted() == ["-", "-", "-", "U", "U", "U", "U"])
        await fixture.close()
    }

    @Test func theLatestProducerStatesTheCap() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(Self.jobs(1, group: "A", cap: 3))
        #expect(try await fixture.queue.admin.groups().map(\.maxRunning) == [3])
        try await fixture.queue.enqueue(Self.jobs(1, group: "A", cap: 7))
        #expect(try await fixture.queue.admin.groups().map(\.maxRunning) == [7])
        try await fixture.queue.setGroupCaps([JobGroup(key: "A", maxRunning: 1), JobGroup(key: "B", maxRunning: nil)])
        let groups = try await fixture.queue.admin.groups()
        #expect(groups.map(\.key) == ["A", "B"])
        #expect(groups.map(\.maxRunning) == [1, nil])
        #expect(try await fixture.queue.claim(queues: ["default"], limit: 5, workerID: "w").count == 1)
        await fixture.close()
    }

    /// The defect this design fixes: a worker whose slots all hold jobs of one connection, each waiting for
    /// that connection's next request, leaves another connection's work unclaimed. Here group A's jobs
    /// can finish only once both of B's jobs have started. With A capped at one job, the worker's three
    /// slots take one A and both B at once; without the cap they took three A jobs and waited forever.
    @Test func aGroupAtItsCapLeavesTheOtherSlotsToOtherGroups() async throws {
        let fixture = try await QueueFixture.make()
        try await fixture.queue.enqueue(Self.jobs(4, group: "A", cap: 1))
        try await fixture.queue.enqueue(Self.jobs(2, group: "B", cap: 2))
        let bStarted = BStarted()
        let concurrency = Mutex<[String: (now: Int, peak: Int)]>([:])
        let handler = ClosureHandler { job, _ in
            let group = Self.group(of: job)
            concurrency.withLock { running in
                var value = running[group] ?? (0, 0)
                value.now += 1
                value.peak = max(value.peak, value.now)
                running[group] = value
            }
            defer { concurrency.withLock { $0[group]?.now -= 1 } }
            if group == "B" { await bStarted.add() }
            await bStarted.waitForBoth()
            return .complete
        }
        var options = JobWorker.Options()
        options.concurrency = 3
        options.exitWhenIdle = true
        options.pollInterval = .seconds(0.05)
        try await JobWorker(queue: fixture.queue, handler: handler, options: options, logger: TestDatabase.logger).run()
        let peaks = concurrency.withLock { $0.mapValues(\.peak) }
        #expect(peaks["A"] == 1, "A never ran more than its cap")
        #expect(peaks["B"] == 2)
        #expect(try await fixture.queue.admin.counts().map(\.state) == [.completed])
        await fixture.close()
    }
}

/// Counts B's started jobs; A's jobs wait until both have started.
actor BStarted {
    private var count = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func add() {
        count += 1
        if count >= 2 {
            for waiter in waiters { waiter.resume() }
            waiters.removeAll()
        }
    }

    func waitForBoth() async {
        if count >= 2 { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}
