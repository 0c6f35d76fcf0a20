import Foundation
import Importer
import JobQueue
import Metronome
import Postgres
import Testing
import TestSupport
import TextOutput
import UseCases

/// Two connections, a usage metric on each and a revenue metric on the first, and one queued job per
/// metric (the revenue job shares its window with nothing else), written straight to the database.
struct JobsFixture {
    static let key = Data((0..<32).map { UInt8($0 * 5 % 256) }).base64EncodedString()

    let pool: PostgresConnectionPool
    let operations: JobOperations
    let queue: JobQueue
    let prod: ConnectionRecord
    let staging: ConnectionRecord
    let cpu: BusinessMetric
    let revenue: BusinessMetric
    let stagingCPU: BusinessMetric
    /// Job ids by metric title.
    let jobs: [String: Int64]

    static func make(function: String = #function) async throws -> JobsFixture {
        let database = try await TestDatabase.make(function: function)
        let pool = database.pool(size: 3)
        let connections = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: key))
        var records: [ConnectionRecord] = []
        for name in ["prod", "staging"] {
            let record = try await connections.add(
                name: name, baseURL: "http://127.0.0.1:9", token: "jobs-test-token", rateLimit: 8, customerBatchSize: 25)
            try await pool.query("INSERT INTO billable_metrics (connection_id, id, name) VALUES ($1, 'bm-cpu', 'CPU hours')", [record.id])
            try await pool.query(
                "INSERT INTO credit_types (connection_id, id, name, is_currency) VALUES ($1, $2, 'USD (cents)', true)",
                [record.id, RevenueUnits.usdCentsID])
            try await pool.query(
                "INSERT INTO customers (connection_id, id, name, import_batch) VALUES ($1, 'c-1', 'c-1', 0)", [record.id])
            records.append(record)
        }
        let store = MetricStore(pool: pool)
        let since = UTCDay("2026-01-01")!
        let cpu = try await store.create(
            title: "CPU hours", connection: records[0], source: .usage(billableMetric: "bm-cpu"), labelSource: .customerName, since: since)
        let revenue = try await store.create(
            title: "Revenue", connection: records[0], source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal),
            labelSource: .customerName, since: since)
        let stagingCPU = try await store.create(
            title: "Staging CPU hours", connection: records[1], source: .usage(billableMetric: "bm-cpu"), labelSource: .customerName,
            since: since)
        let queue = JobQueue(pool: pool, logger: TestDatabase.logger)
        var jobs: [String: Int64] = [:]
        for metric in [cpu, revenue, stagingCPU] {
            let args = ImportJobArgs(
                connectionID: metric.connectionID, metricIDs: [metric.id], creditTypeID: metric.creditTypeID,
                window: DayRange(start: since, end: since.adding(days: 35)), batch: 0, customerIDs: ["c-1"])
            let kind = metric.kind == .usage ? ImportJobKind.usage : .revenue
            guard case .inserted(let id) = try await queue.enqueue(
                try NewJob(kind: kind.rawValue, args: args, queue: ImportQueue.backfill, uniqueKey: args.uniqueKey))
            else { throw TestDatabaseError(description: "job not inserted") }
            jobs[metric.title] = id
        }
        return JobsFixture(
            pool: pool, operations: JobOperations(pool: pool, logger: TestDatabase.logger), queue: queue, prod: records[0],
            staging: records[1], cpu: cpu, revenue: revenue, stagingCPU: stagingCPU, jobs: jobs)
    }

    /// Discards a job, as a worker does when it fails for good.
    func discard(_ title: String) async throws {
        try await pool.query(
            "UPDATE jobs SET state = 'discarded', finalized_at = now() WHERE id = $1", [jobs[title]!])
    }

    func close() async { await pool.close() }
}

/// The one selection of jobs behind the CLI's `jobs` commands, the console's job pages and MCP's retry tool.
@Suite("Job operations", .timeLimit(.minutes(2)))
struct JobOperationsTests {
    @Test func aSelectionByMetricOrConnectionFindsTheirJobs() async throws {
        let fixture = try await JobsFixture.make()
        func ids(_ selection: JobSelection) async throws -> Set<Int64> {
            Set(try await fixture.operations.list(selection, limit: 100).map(\.id))
        }
        #expect(try await ids(JobSelection(metric: "CPU hours")) == [fixture.jobs["CPU hours"]!])
        #expect(try await ids(JobSelection(connection: "prod")) == [fixture.jobs["CPU hours"]!, fixture.jobs["Revenue"]!])
        #expect(try await ids(JobSelection(metric: "Staging CPU hours", connection: "staging")) == [fixture.jobs["Staging CPU hours"]!])
        #expect(try await ids(JobSelection(metric: "CPU hours", connection: "staging")).isEmpty)
        #expect(try await ids(JobSelection(kind: ImportJobKind.revenue.rawValue)) == [fixture.jobs["Revenue"]!])
        #expect(try await ids(JobSelection(argsJSON: #"{"batch": 0}"#, state: .available)).count == 3)
        #expect(try await ids(JobSelection(state: .discarded)).isEmpty)
        await fixture.close()
    }

    @Test func unknownNamesAreRefusedWithTheNearestOnes() async throws {
        let fixture = try await JobsFixture.make()
        await #expect(throws: UseCaseError.notFound(.metric, name: "cpu hours", nearest: ["CPU hours", "Staging CPU hours"])) {
            try await fixture.operations.list(JobSelection(metric: "cpu hours"), limit: 10)
        }
        await #expect(throws: UseCaseError.notFound(.connection, name: "Prod", nearest: ["prod"])) {
            try await fixture.operations.list(JobSelection(connection: "Prod"), limit: 10)
        }
        await #expect(throws: UseCaseError.notFound(.metric, name: "Revenu", nearest: ["Revenue"])) {
            try await fixture.operations.reimport(.metric(title: "Revenu"), from: nil, to: nil, today: UTCDay("2026-03-01")!)
        }
        await #expect(throws: UseCaseError.notFound(.metric, name: "Memory", nearest: [])) {
            try await fixture.operations.list(JobSelection(metric: "Memory"), limit: 10)
        }
        await #expect(throws: UseCaseError.self) { try await fixture.operations.list(JobSelection(kind: "import_cost"), limit: 10) }
        await #expect(throws: UseCaseError.invalid(.queue, reason: "unknown queue nightly; the queues are backfill, sync")) {
            try await fixture.operations.list(JobSelection(queue: "nightly"), limit: 10)
        }
        await #expect(throws: UseCaseError.self) { try await fixture.operations.list(JobSelection(argsJSON: "[1]"), limit: 10) }
        await fixture.close()
    }

    @Test func retryAndCancelChangeOnlyWhatTheySelect() async throws {
        let fixture = try await JobsFixture.make()
        try await fixture.discard("CPU hours")
        try await fixture.discard("Staging CPU hours")
        let failedOfProd = JobSelection(connection: "prod", state: .discarded)
        #expect(try await fixture.operations.retry(failedOfProd, dryRun: true) == [fixture.jobs["CPU hours"]!])
        #expect(try await fixture.operations.job(id: fixture.jobs["CPU hours"]!).state == .discarded, "a dry run changes nothing")
        // The count confirmed no longer matches: nothing is requeued.
        #expect(try await fixture.operations.retry(failedOfProd, confirmedCount: 2) == .changed(now: 1))
        #expect(try await fixture.operations.retry(failedOfProd, confirmedCount: 1) == .requeued([fixture.jobs["CPU hours"]!]))
        #expect(try await fixture.operations.job(id: fixture.jobs["Staging CPU hours"]!).state == .discarded)

        await #expect(throws: UseCaseError.noSuchJob(987_654)) {
            try await fixture.operations.retry(JobSelection(ids: [fixture.jobs["Revenue"]!, 987_654]))
        }
        await #expect(throws: UseCaseError.noSuchJob(987_654)) { try await fixture.operations.job(id: 987_654) }
        // Cancelling a finished job is refused, and so is the whole call: the unfinished one stays queued.
        await #expect(throws: UseCaseError.self) {
            try await fixture.operations.cancel(JobSelection(ids: [fixture.jobs["Revenue"]!, fixture.jobs["Staging CPU hours"]!]))
        }
        #expect(try await fixture.operations.job(id: fixture.jobs["Revenue"]!).state == .available)
        #expect(try await fixture.operations.cancel(JobSelection(metric: "Revenue")) == [fixture.jobs["Revenue"]!])
        #expect(try await fixture.operations.job(id: fixture.jobs["Revenue"]!).state == .cancelled)
        await fixture.close()
    }

    @Test func reimportChecksItsPeriod() async throws {
        let fixture = try await JobsFixture.make()
        let today = UTCDay("2026-03-01")!
        await #expect(throws: UseCaseError.reversedPeriod(from: "2026-02-10", to: "2026-02-01")) {
            try await fixture.operations.reimport(
                .metric(title: "CPU hours"), from: UTCDay("2026-02-10")!, to: UTCDay("2026-02-01")!, today: today)
        }
        await #expect(throws: UseCaseError.invalid(.to, reason: "2026-03-02 is in the future (today is 2026-03-01)")) {
            try await fixture.operations.reimport(.metric(title: "CPU hours"), from: nil, to: UTCDay("2026-03-02")!, today: today)
        }
        // A connection's every metric, from the earliest `since` to today.
        let reimport = try await fixture.operations.reimport(.connection(name: "prod"), from: nil, to: nil, today: today)
        #expect(reimport.metrics.sorted() == ["CPU hours", "Revenue"])
        #expect(reimport.from == UTCDay("2026-01-01")! && reimport.to == today && reimport.jobsEnqueued > 0)
        let again = try await fixture.operations.reimport(.connection(name: "prod"), from: nil, to: nil, today: today)
        #expect(again.jobsEnqueued == 0, "rerunning while the reimport is queued adds nothing")
        await fixture.close()
    }
}

/// How a refusal reads in each front-end's terms.
@Suite("Use case errors")
struct UseCaseErrorTests {
    @Test func eachFrontEndNamesTheParameterItsOwnWay() {
        let reversed = UseCaseError.reversedPeriod(from: "2026-02-10", to: "2026-02-01")
        #expect(reversed.message(naming: { "--\($0.rawValue)" }) == "--from 2026-02-10 is after --to 2026-02-01: the period is reversed")
        #expect(reversed.message(naming: { "\"\($0.rawValue)\"" }).contains(#"is after "to""#))
        let unknown = UseCaseError.notFound(.connection, name: "Prod", nearest: ["prod", "prod-eu"])
        #expect(unknown.message(naming: \.rawValue) == #"no connection named Prod; did you mean "prod" or "prod-eu"?"#)
        #expect(UseCaseError.invalid(.queue, reason: "unknown queue x").message(naming: { "--\($0.rawValue)" }) == "--queue: unknown queue x")
    }

    @Test func nearestNamesPreferCaseThenContainmentThenTypos() {
        let names = ["CPU hours", "Staging CPU hours", "Revenue", "API requests", "Storage GB"]
        #expect(NearestNames.to("cpu hours", among: names) == ["CPU hours", "Staging CPU hours"])
        #expect(NearestNames.to("Revenu", among: names) == ["Revenue"])
        #expect(NearestNames.to("API reqests", among: names) == ["API requests"])
        #expect(NearestNames.to("Egress", among: names).isEmpty)
        #expect(NearestNames.to("", among: names).isEmpty)
    }
}
