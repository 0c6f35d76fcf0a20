import Foundation
import Importer
import JobQueue
import Metronome
import Postgres
import ServiceLifecycle
import Testing
import TestSupport

/// The planner's leader loop: any number of replicas, one plans at a time, and a replica that stops
/// hands the lead over at once.
@Suite("Planner service", .timeLimit(.minutes(5)))
struct PlannerServiceTests {
    /// A long interval: the lead (three intervals) cannot lapse on a loaded machine while the test runs.
    func service(_ candidate: String, planner: ImportPlanner) -> PlannerService {
        PlannerService(planner: planner, interval: .seconds(20), candidateID: candidate, logger: TestDatabase.logger)
    }

    /// When the planner last saved its projections.
    func lastPlanned(_ fixture: StoreFixture) async throws -> Date {
        try await fixture.pool.query("SELECT max(planned_at) FROM plan_projections").single().decode(Date.self, at: 0)
    }

    @Test func onlyTheLeaderPlansAndAStoppedLeaderHandsOver() async throws {
        let fixture = try await StoreFixture.make()
        _ = try await fixture.usageMetric(since: "2026-01-01")
        let planner = ImportPlanner(queue: fixture.queue, clock: ImportClock(pinnedDay: UTCDay("2026-01-10")!), logger: TestDatabase.logger)
        let first = service("replica-a", planner: planner)
        let second = service("replica-b", planner: planner)

        let summary = try #require(try await first.runOnce(), "the first replica takes the lead and plans")
        #expect(summary.catalogJobs == 1 && summary.syncJobs + summary.backfillJobs >= 1, "\(summary)")
        #expect(try await second.runOnce() == nil, "the other replica does not plan while the first leads")
        let planned = try await lastPlanned(fixture)

        // The first runs in a service group until it shuts down gracefully (SIGTERM); on the way out it resigns.
        let services = ServiceGroup(services: [first], logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            try await waitUntil("the service's first pass plans again") { try await lastPlanned(fixture) > planned }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        #expect(try await second.runOnce() != nil, "a resigned lead is taken at once, not after it expires")
        await fixture.close()
    }

    @Test func aFailedPassIsLoggedAndTheLoopGoesOn() async throws {
        let fixture = try await StoreFixture.make()
        let log = RecordingLog()
        let planner = ImportPlanner(queue: fixture.queue, logger: TestDatabase.logger)
        let service = PlannerService(planner: planner, interval: .seconds(0.01), candidateID: "replica-a", logger: log.logger)
        try await fixture.pool.query("ALTER TABLE business_metrics RENAME TO business_metrics_away")
        let services = ServiceGroup(services: [service], logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            try await waitUntil("two failed passes are logged") { log.all.filter { $0 == "planning failed" }.count >= 2 }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        await fixture.close()
    }
}

/// What the planner reads about a connection is one moment's state. A job finishing meanwhile moves
/// its window from queued to covered in one commit; a planner that saw neither would import it again.
@Suite("Planner reads", .timeLimit(.minutes(2)))
struct PlannerReadTests {
    @Test func aJobFinishingWhileThePlannerReadsIsNotPlannedAgain() async throws {
        let fixture = try await StoreFixture.make()
        _ = try await fixture.usageMetric(since: "2025-01-01")
        let planner = ImportPlanner(queue: fixture.queue, clock: ImportClock(pinnedDay: UTCDay("2026-01-10")!), logger: TestDatabase.logger)
        let first = try await planner.plan()
        #expect(first.syncJobs == 1 && first.backfillJobs == 1, "\(first)")
        let job = try #require(try await fixture.queue.claim(queues: [ImportQueue.backfill], limit: 1, workerID: "read-test").first)
        let args = try job.args(as: ImportJobArgs.self)

        // A lock on the refresh times stops the planner part-way through its reads.
        try await fixture.pool.withConnection { blocker in
            try await blocker.query("BEGIN")
            try await blocker.query("LOCK TABLE import_refreshes IN ACCESS EXCLUSIVE MODE")
            let planning = Task { try await planner.plan() }
            try await waitUntil("the planner waits for the refresh times") {
                try await fixture.pool.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM import_refreshes%'"
                ).single().decode(Int.self, at: 0) == 1
            }
            // The job's last commit, as the import does it: its coverage and its completion together.
            try await fixture.pool.transaction { db in
                try db.query(
                    """
                    INSERT INTO import_coverage (metric_id, import_batch, window_start, window_end, customer_ids)
                    VALUES ($1, $2, $3::date, $4::date, $5::text[])
                    """,
                    [args.metricIDs[0], args.batch, args.window.start.description, args.window.end.description, args.customerIDs])
                try JobQueue.complete(job.lease, on: db)
            }
            try await blocker.query("COMMIT")
            let second = try await planning.value
            #expect(second.syncJobs == 0 && second.backfillJobs == 0, "the finished window is planned again: \(second)")
        }
        await fixture.close()
    }
}
