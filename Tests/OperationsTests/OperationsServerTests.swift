import AsyncHTTPClient
import Foundation
import JobQueue
import Metrics
import Postgres
import Prometheus
import ServiceEndpoints
import Synchronization
import Testing
import TestSupport

@Suite("Operations endpoints", .timeLimit(.minutes(5)))
struct OperationsServerTests {
    /// Serves the endpoints on 127.0.0.1:0 while `body` runs.
    func withServer(
        registry: PrometheusCollectorRegistry, readiness: @escaping @Sendable () async -> String?,
        liveness: @escaping @Sendable () async -> String? = { nil },
        beforeScrape: @escaping @Sendable () async -> Void = {}, _ body: @Sendable (String) async throws -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = OperationsServer(
            host: "127.0.0.1", port: 0, registry: registry, readiness: readiness, liveness: liveness, beforeScrape: beforeScrape,
            onListening: { continuation.yield($0) }, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }

    func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func healthReadinessAndMetrics() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let queue = JobQueue(pool: pool, logger: TestDatabase.logger)
        try await queue.enqueue(NewJob(kind: "import_usage", queue: "backfill"))
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let gauges = QueueDepthGauges(queue: queue, minimumInterval: .zero)
        // A registry of our own (not the global MetricsSystem) so parallel tests do not interfere.
        let counter = factory.makeCounter(label: "meterbridge_jobs_claimed_total", dimensions: [("kind", "import_usage")])
        counter.increment(by: 3)
        let timer = factory.makeTimer(label: "meterbridge_job_duration_seconds", dimensions: [("kind", "import_usage")])
        timer.recordNanoseconds(1_500_000_000)
        try await withServer(registry: registry, readiness: { await ReadinessCheck.check(pool: pool) }) { base in
            #expect(try await get(base + "/healthz") == (200, "ok\n"))
            #expect(try await get(base + "/readyz").0 == 200)
            let (status, text) = try await get(base + "/metrics")
            #expect(status == 200)
            let samples = try PrometheusText.parse(text)
            #expect(samples["meterbridge_jobs_claimed_total{kind=\"import_usage\"}"] == 3)
            #expect(samples.keys.contains { $0.hasPrefix("meterbridge_job_duration_seconds_bucket") })
            #expect(samples["meterbridge_job_duration_seconds_count{kind=\"import_usage\"}"] == 1)
        }
        _ = gauges
        await pool.close()
    }

    /// Liveness used to answer ok whatever the worker was doing. It fails once a loop is stuck.
    @Test func livenessFailsWhenAWorkerLoopIsStuck() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let liveness = WorkerLiveness(now: { clock.withLock { $0 } })
        try await withServer(
            registry: PrometheusCollectorRegistry(), readiness: { nil },
            liveness: { liveness.problem(threshold: .seconds(120)) }
        ) { (base: String) async throws -> Void in
            #expect(try await get(base + "/healthz") == (200, "ok\n"))
            clock.withLock { $0 += 121 }
            #expect(try await get(base + "/healthz") == (503, "stuck\n"))
        }
        #expect(liveness.problem(threshold: .seconds(120))?.contains("claim loop") == true)
    }

    /// A worker's loops keep its liveness fresh while it runs.
    @Test func aRunningWorkerStaysLive() async throws {
        let fixture = try await TestDatabase.make()
        let queue = JobQueue(pool: fixture.pool(size: 2), logger: TestDatabase.logger)
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let liveness = WorkerLiveness(now: { clock.withLock { $0 } })
        clock.withLock { $0 += 500 }  // everything is old…
        #expect(liveness.problem(threshold: .seconds(120)) != nil)
        var options = JobWorker.Options()
        options.liveness = liveness
        options.exitWhenIdle = true
        options.pollInterval = .seconds(0.01)
        try await JobWorker(queue: queue, handler: NoHandler(), options: options, logger: TestDatabase.logger).run()
        #expect(liveness.problem(threshold: .seconds(120))?.contains("heartbeat") == true, "…until the claim loop ran")
        await queue.pool.close()
    }

    struct NoHandler: JobHandler {
        func handle(_ job: ClaimedJob, context: JobContext) async throws -> JobOutcome { .complete }
    }

    @Test func notReadyWithPendingMigrations() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let pool = database.pool(size: 1)
        try await withServer(registry: PrometheusCollectorRegistry(), readiness: { await ReadinessCheck.check(pool: pool) }) { base in
            let (status, text) = try await get(base + "/readyz")
            #expect(status == 503)
            #expect(text == "not ready\n", "the reason stays in the log")
        }
        #expect(await ReadinessCheck.check(pool: pool)?.contains("migration") == true)
        await pool.close()
    }
}

/// A strict reader of the Prometheus text exposition format (0.0.4): comments are `# HELP` or
/// `# TYPE` lines, samples are `name{label="value",…} number`.
enum PrometheusText {
    struct FormatError: Error, CustomStringConvertible { var description: String }

    static func parse(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        let name = /[a-zA-Z_:][a-zA-Z0-9_:]*/
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            if line.hasPrefix("#") {
                guard line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") else {
                    throw FormatError(description: "line \(index + 1): unknown comment")
                }
                if line.hasPrefix("# TYPE ") {
                    let type = line.split(separator: " ").last.map(String.init) ?? ""
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(type) else {
                        throw FormatError(description: "line \(index + 1): bad type \(type)")
                    }
                }
                continue
            }
            guard let space = line.lastIndex(of: " ") else { throw FormatError(description: "line \(index + 1): no value") }
            let key = String(line[..<space])
            guard let value = Double(line[line.index(after: space)...]) else {
                throw FormatError(description: "line \(index + 1): bad value")
            }
            guard let match = key.prefixMatch(of: name) else { throw FormatError(description: "line \(index + 1): bad name") }
            let rest = key[match.range.upperBound...]
            if !rest.isEmpty {
                guard rest.first == "{", rest.last == "}",
                    rest.dropFirst().dropLast().wholeMatch(of: /([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*/) != nil
                else { throw FormatError(description: "line \(index + 1): bad labels \(rest)") }
            }
            samples[key] = value
        }
        return samples
    }
}
