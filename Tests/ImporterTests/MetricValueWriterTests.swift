import Foundation
import JobQueue
import Metronome
import Postgres
import Synchronization
import Testing
import TestSupport

@testable import Importer

/// The writer of `metric_values`: days never imported are inserted plainly, anything else is upserted,
/// and either way the table ends as the last write says.
@Suite("Value writes", .timeLimit(.minutes(2)))
struct MetricValueWriterTests {
    typealias Row = (customerID: String, day: UTCDay, amount: Decimal?)

    static func rows(_ customer: String, _ values: [(String, String?)]) -> [Row] {
        values.map { (customer, UTCDay($0.0)!, $0.1.flatMap { Decimal(string: $0) }) }
    }

    func write(_ fixture: StoreFixture, _ metric: Int64, _ rows: [Row]) async throws {
        try await fixture.pool.transaction { db in try MetricValueWriter.apply(metricID: metric, rows: rows, on: db) }
    }

    func stored(_ fixture: StoreFixture, _ metric: Int64) async throws -> [String: String] {
        var values: [String: String] = [:]
        for row in try await fixture.pool.query(
            "SELECT customer_id || ' ' || day::text, amount::text FROM metric_values WHERE metric_id = $1", [metric])
        {
            values[try row.decode(at: 0)] = try row.decode(at: 1)
        }
        return values
    }

    @Test func newDaysAreInsertedAndLaterWritesReplaceThem() async throws {
        let fixture = try await StoreFixture.make()
        let metric = try await fixture.usageMetric().id
        // New days and a null day.
        try await write(fixture, metric, Self.rows("c-1", [("2026-01-01", "1.5"), ("2026-01-02", nil), ("2026-01-03", "3")]))
        #expect(try await stored(fixture, metric) == ["c-1 2026-01-01": "1.5", "c-1 2026-01-03": "3"])
        // The same days again: changed, emptied, filled.
        try await write(fixture, metric, Self.rows("c-1", [("2026-01-01", "2.25"), ("2026-01-02", "7"), ("2026-01-03", nil)]))
        #expect(try await stored(fixture, metric) == ["c-1 2026-01-01": "2.25", "c-1 2026-01-02": "7"])
        // Another customer's days in the same range are new to it.
        try await write(fixture, metric, Self.rows("c-2", [("2026-01-01", "9")]))
        #expect(try await stored(fixture, metric)["c-2 2026-01-01"] == "9")
        #expect(try await stored(fixture, metric).count == 3)
        await fixture.close()
    }

    /// `meterbridge status` reads each metric's value count from `metric_value_counts`, which triggers keep:
    /// after every kind of write, the counts equal a count of the values themselves.
    @Test func valueCountsFollowEveryWrite() async throws {
        let fixture = try await StoreFixture.make()
        let cpu = try await fixture.usageMetric()
        let other = try await fixture.usageMetric("Other")
        func expectCountsExact(_ step: String) async throws {
            var counted: [Int64: Int] = [:]
            for row in try await fixture.pool.query("SELECT metric_id, count(*) FROM metric_values GROUP BY metric_id") {
                counted[try row.decode(at: 0)] = try row.decode(at: 1)
            }
            #expect(try await fixture.metrics.valueCounts() == counted, "after \(step)")
            #expect(try await fixture.metrics.valueCount(cpu) == counted[cpu.id, default: 0], "after \(step)")
        }
        try await expectCountsExact("nothing")
        // Plain inserts of new days (one customer), and an upsert of several customers.
        try await write(fixture, cpu.id, Self.rows("c-1", [("2026-01-01", "1"), ("2026-01-02", "2"), ("2026-01-03", nil)]))
        try await write(fixture, other.id, Self.rows("c-1", [("2026-01-01", "5")]) + Self.rows("c-2", [("2026-01-01", "6")]))
        try await expectCountsExact("new days")
        // An upsert that changes one day, leaves one alone, empties one and fills one: the net is unchanged.
        try await write(fixture, cpu.id, Self.rows("c-1", [("2026-01-01", "1"), ("2026-01-02", nil), ("2026-01-03", "3")]))
        try await expectCountsExact("an upsert")
        // A revenue-style replace and a removal of customers no longer reported.
        try await fixture.pool.transaction { db in
            try MetricValueWriter.replace(
                metricID: cpu.id, customerID: "c-1", window: DayRange(start: UTCDay("2026-01-01")!, end: UTCDay("2026-01-10")!),
                amounts: [(UTCDay("2026-01-05")!, Decimal(4))], on: db)
            try MetricValueWriter.removeUnreported(
                metricID: other.id, window: DayRange(start: UTCDay("2026-01-01")!, end: UTCDay("2026-01-02")!), customers: ["c-1", "c-2"],
                reported: ["c-2"], on: db)
        }
        try await expectCountsExact("a replace and a removal")
        // A rolled-back write counts nothing.
        try? await fixture.pool.transaction { db in
            try MetricValueWriter.apply(metricID: other.id, rows: Self.rows("c-3", [("2026-02-01", "1")]), on: db)
            throw CancellationError()
        }
        try await expectCountsExact("a rollback")
        // Deleting a metric deletes its values and its count; TRUNCATE empties them all.
        try await fixture.metrics.delete(other)
        try await expectCountsExact("a metric deleted")
        #expect(try await fixture.pool.query("SELECT 1 FROM metric_value_counts WHERE metric_id = $1", [other.id]).rows.isEmpty)
        try await fixture.pool.query("TRUNCATE metric_values")
        try await expectCountsExact("TRUNCATE")
        await fixture.close()
    }

    /// Writers of one metric's values used to take turns: every insert updated the metric's one count row
    /// and held its lock until commit, so concurrent page commits of a metric waited for each other. Now
    /// each writer's backend counts into a shard of its own: a second writer of the same metric (other
    /// customers) finishes while the first's transaction is still open.
    @Test func writersOfOneMetricDoNotWaitForEachOthersCount() async throws {
        let fixture = try await StoreFixture.make()
        let metric = try await fixture.usageMetric().id
        // Two sessions whose backends count into different shards (pid modulo 64): a second session is
        // opened until its shard differs from the first's (63 in 64 do).
        let first = try await fixture.database.connect()
        let firstPID = try await first.query("SELECT pg_backend_pid()").single().decode(Int.self, at: 0)
        var second = try await fixture.database.connect()
        var secondPID = try await second.query("SELECT pg_backend_pid()").single().decode(Int.self, at: 0)
        for _ in 0..<20 where secondPID % 64 == firstPID % 64 {
            await second.close()
            second = try await fixture.database.connect()
            secondPID = try await second.query("SELECT pg_backend_pid()").single().decode(Int.self, at: 0)
        }
        try #require(secondPID % 64 != firstPID % 64, "two backends whose pids differ modulo 64")
        try await first.query("BEGIN")
        try await first.run { db in try MetricValueWriter.apply(metricID: metric, rows: Self.rows("c-1", [("2026-01-01", "1")]), on: db) }
        let finished = Flag()
        let writer = second
        let writing = Task {
            try await writer.run { db in
                try MetricValueWriter.apply(metricID: metric, rows: Self.rows("c-2", [("2026-01-01", "2")]), on: db)
            }
            finished.set()
        }
        var waited = false
        try await waitUntil("the second writer finishes or waits for a lock") {
            if finished.isSet { return true }
            waited = try await fixture.pool.query(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [secondPID]
            ).single().decode(Int.self, at: 0) > 0
            return waited
        }
        #expect(!waited, "the second writer waited for the first's count")
        try await first.query("COMMIT")
        try await writing.value
        await first.close()
        await second.close()
        #expect(try await fixture.metrics.valueCounts() == [metric: 2])
        await fixture.close()
    }

    /// A page of new days commits its values and the job's checkpoint in one statement; when the customer
    /// already holds values in the page's days, or the lease is gone, that statement writes nothing.
    @Test func aPageOfNewDaysCommitsWithItsCheckpointInOneStatement() async throws {
        let fixture = try await StoreFixture.make()
        let metric = try await fixture.usageMetric()
        let job = try await fixture.claimedJob(of: metric, day: "2026-01-01")
        let (jobID, lease) = (job.id, job.lease)
        func cursor() async throws -> String? {
            try await fixture.pool.query("SELECT cursor::text FROM jobs WHERE id = $1", [jobID]).single().decode(at: 0)
        }
        func commit(_ rows: [Row], cursor: String, lease: JobLease) async throws -> MetricValueWriter.OneStatementCommit {
            try await fixture.pool.withConnection { connection in
                try await connection.run { db in
                    try MetricValueWriter.insertWithCheckpoint(metricID: metric.id, rows: rows, lease: lease, cursorJSON: cursor, on: db)
                }
            }
        }
        // New days: written, with the checkpoint (days without events write nothing).
        let first = Self.rows("c-1", [("2026-01-01", "1.5"), ("2026-01-02", nil), ("2026-01-03", "3")])
        #expect(try await commit(first, cursor: #"{"page": "p2"}"#, lease: lease) == .committed)
        #expect(try await stored(fixture, metric.id) == ["c-1 2026-01-01": "1.5", "c-1 2026-01-03": "3"])
        #expect(try await cursor() == #"{"page": "p2"}"#)
        // Days that overlap the customer's values: nothing written, neither values nor checkpoint.
        let again = Self.rows("c-1", [("2026-01-03", "4"), ("2026-01-04", "5")])
        #expect(try await commit(again, cursor: #"{"page": "p3"}"#, lease: lease) == .needsUpsert)
        #expect(try await stored(fixture, metric.id).count == 2)
        #expect(try await cursor() == #"{"page": "p2"}"#)
        // Rows of two customers take the upsert too.
        #expect(try await commit(Self.rows("c-2", [("2026-02-01", "1")]) + Self.rows("c-3", [("2026-02-01", "1")]), cursor: "{}", lease: lease) == .needsUpsert)
        // A lost lease: nothing written, and the lease is reported lost.
        var stolen = lease
        stolen.token = UUID()
        let error = await #expect(throws: JobQueueError.self) {
            try await commit(Self.rows("c-4", [("2026-03-01", "1")]), cursor: #"{"page": "stolen"}"#, lease: stolen)
        }
        #expect(error == .leaseLost(jobID: jobID))
        #expect(try await stored(fixture, metric.id).count == 2)
        #expect(try await cursor() == #"{"page": "p2"}"#)
        // An empty page only checkpoints.
        #expect(try await commit([], cursor: #"{"page": "p4"}"#, lease: lease) == .committed)
        #expect(try await cursor() == #"{"page": "p4"}"#)
        #expect(try await fixture.metrics.valueCounts() == [metric.id: 2])
        await fixture.close()
    }

    /// Two writers of the same new days: the second's plain insert meets the first's rows and fails with
    /// a unique violation, which the page commit tries again; the next try updates them.
    @Test func aRaceForTheSameNewDaysIsRetriedIntoAnUpdate() async throws {
        let fixture = try await StoreFixture.make()
        let metric = try await fixture.usageMetric().id
        let first = Self.rows("c-1", [("2026-01-01", "1"), ("2026-01-02", "2")])
        let second = Self.rows("c-1", [("2026-01-01", "10"), ("2026-01-02", "20")])
        try await fixture.pool.withConnection { writer in
            try await writer.query("BEGIN")
            try await writer.run { db in try MetricValueWriter.apply(metricID: metric, rows: first, on: db) }
            let racing = Task { try await write(fixture, metric, second) }
            try await waitUntil("the second writer waits for the first") {
                try await fixture.pool.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO metric_values%'"
                ).single().decode(Int.self, at: 0) == 1
            }
            try await writer.query("COMMIT")
            let error = await #expect(throws: PostgresError.self) { try await racing.value }
            #expect(error?.sqlState == .uniqueViolation)
            #expect(error.map(PageCommitter.commitMayBeRetried) == true)
        }
        try await write(fixture, metric, second)
        #expect(try await stored(fixture, metric) == ["c-1 2026-01-01": "10", "c-1 2026-01-02": "20"])
        await fixture.close()
    }
}

/// A flag one task sets and another reads.
private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
