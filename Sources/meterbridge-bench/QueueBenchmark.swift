import ArgumentParser
import Foundation
import JobQueue
import Logging
import Postgres
import Schema

/// `meterbridge-bench queue`: throughput and latency of the job queue with no-op jobs.
struct QueueBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Measure the job queue: claim+complete throughput, bulk enqueue and claim latency.",
        discussion: """
            Every scenario runs against a fresh schema in the database named by DATABASE_URL (or the PG* \
            variables). Workers each use their own connection, as separate processes would.
            """)

    @Option(help: "Concurrent workers (each on its own connection).") var workers = 8
    @Option(help: "Jobs claimed per statement in the batched scenarios.") var batch = 10
    @Option(help: "Backlog size for the drain scenarios.") var drainJobs = 50_000
    @Option(help: "Seconds to run the steady-state scenario.") var steadySeconds = 15.0
    @Option(help: "Dequeuers in the steady-state scenario (PgQueuer's benchmark uses 5).") var steadyWorkers = 5
    @Option(help: "Milliseconds an idle dequeuer waits after a short claim in the steady state, as a polling worker would.")
    var idleWaitMs = 1
    @Option(help: "Jobs enqueued in the bulk-enqueue scenario.") var enqueueJobs = 200_000
    @Option(help: "Backlog size for the claim-latency scenario.") var latencyBacklog = 100_000
    @Option(help: "Claims timed in the latency scenario.") var latencySamples = 2_000
    @Option(help: "Scenarios to run (comma-separated): drain-batched, drain-single, steady, enqueue, latency.")
    var only = "drain-batched,drain-single,steady,enqueue,latency"

    func run() async throws {
        let bench = try await Bench.start()
        let scenarios = Set(only.split(separator: ",").map { String($0) })
        if scenarios.contains("drain-batched") {
            let rate = try await bench.drain(jobs: drainJobs, workers: workers, batch: batch)
            print(String(format: "drain   %6d jobs, %d workers, claim %2d + batched complete: %8.0f jobs/s", drainJobs, workers, batch, rate))
        }
        if scenarios.contains("drain-single") {
            let rate = try await bench.drain(jobs: drainJobs / 5, workers: workers, batch: 1)
            print(String(format: "drain   %6d jobs, %d workers, claim  1 + complete:         %8.0f jobs/s", drainJobs / 5, workers, rate))
        }
        if scenarios.contains("steady") {
            let (enqueued, completed) = try await bench.steady(
                seconds: steadySeconds, workers: steadyWorkers, batch: batch, idleWaitMs: idleWaitMs)
            print(String(format: "steady  %4.0f s, 1 enqueuer x batch %d, %d workers x batch %d: %8.0f jobs/s completed (%0.f enqueued/s)", steadySeconds, batch, steadyWorkers, batch, completed, enqueued))
        }
        if scenarios.contains("enqueue") {
            let rate = try await bench.bulkEnqueue(jobs: enqueueJobs, chunk: 5_000)
            print(String(format: "enqueue %6d jobs in statements of 5,000:               %8.0f jobs/s", enqueueJobs, rate))
        }
        if scenarios.contains("latency") {
            let (p50, p99) = try await bench.claimLatency(backlog: latencyBacklog, samples: latencySamples)
            print(String(format: "claim latency, %d-job backlog, %d claims: p50 %.2f ms, p99 %.2f ms", latencyBacklog, latencySamples, p50, p99))
        }
    }
}

struct Bench {
    let base: PostgresConfiguration
    let logger: Logger

    /// Connects to `DATABASE_URL` (warnings-only logging) and prints the server settings the figures depend on.
    static func start() async throws -> Bench {
        var logger = Logger(label: "meterbridge.bench")
        logger.logLevel = .warning
        let base = PostgresConfiguration.fromEnvironment(ProcessInfo.processInfo.environment, applicationName: "bench")
        let bench = Bench(base: base, logger: logger)
        try await bench.printServerSettings()
        return bench
    }

    func printServerSettings() async throws {
        let connection = try await PostgresConnection.connect(base, logger: logger)
        let rows = try await connection.query(
            """
            SELECT name, setting FROM pg_settings
            WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections')
            ORDER BY name
            """)
        let settings = try rows.map { "\(try $0.decode(String.self, at: 0))=\(try $0.decode(String.self, at: 1))" }
        print("postgres: " + settings.joined(separator: " "))
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, Postgres and workers on the same host")
        await connection.close()
    }

    /// This process's peak resident memory.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)  // bytes on macOS
        #endif
    }

    /// A fresh schema with the migrations applied; returns a configuration pointing at it.
    func freshSchema() async throws -> PostgresConfiguration {
        let connection = try await PostgresConnection.connect(base, logger: logger)
        try await connection.simpleQuery("DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench;")
        await connection.close()
        var configuration = base
        configuration.searchPath = "bench"
        let migrated = try await PostgresConnection.connect(configuration, logger: logger)
        try await Migrator(logger: logger).migrate(on: migrated)
        try await migrated.run { connection in try JobHousekeeping.refreshStatistics(on: connection) }
        await migrated.close()
        return configuration
    }

    /// Lets Postgres finish what an earlier scenario left it (a checkpoint of its writes, autovacuum of
    /// its tables) before the next measures anything: a CHECKPOINT, then up to a minute for autovacuum
    /// workers to go idle.
    func settle() async throws {
        let connection = try await PostgresConnection.connect(base, logger: logger)
        defer { Task { await connection.close() } }
        try await connection.simpleQuery("CHECKPOINT")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let vacuuming = try await connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND state IS DISTINCT FROM 'idle'"
            ).single().decode(Int.self, at: 0)
            if vacuuming == 0 { return }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    func fill(_ configuration: PostgresConfiguration, jobs: Int) async throws {
        let connection = try await PostgresConnection.connect(configuration, logger: logger)
        var remaining = jobs
        while remaining > 0 {
            let count = min(remaining, 10_000)
            let batch = (0..<count).map { NewJob(kind: "noop", argsJSON: "{\"n\": \($0)}") }
            _ = try await connection.run { connection in try JobQueue.enqueue(batch, on: connection) }
            remaining -= count
        }
        try await connection.run { connection in try JobHousekeeping.refreshStatistics(vacuum: true, on: connection) }
        await connection.close()
    }

    /// Claims `batch` at a time and completes each batch; returns jobs/s to drain the backlog.
    func drain(jobs: Int, workers: Int, batch: Int) async throws -> Double {
        let configuration = try await freshSchema()
        try await fill(configuration, jobs: jobs)
        let connections = try await (0..<workers).asyncMap { _ in
            try await PostgresConnection.connect(configuration, logger: logger)
        }
        let started = ContinuousClock.now
        let done = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, connection) in connections.enumerated() {
                group.addTask {
                    try await connection.run { connection in
                        var done = 0
                        while true {
                            let claimed = try JobQueue.claim(
                                queues: ["default"], limit: batch, workerID: "bench-\(index)", lease: .seconds(60),
                                on: connection)
                            if claimed.isEmpty { return done }
                            if claimed.count == 1 {
                                try JobQueue.complete(claimed[0].lease, on: connection)
                            } else {
                                _ = try JobQueue.complete(claimed.map(\.lease), on: connection)
                            }
                            done += claimed.count
                        }
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let seconds = (ContinuousClock.now - started).seconds
        for connection in connections { await connection.close() }
        precondition(done == jobs, "drained \(done) of \(jobs) jobs")
        return Double(done) / seconds
    }

    /// One enqueuer inserting batches of `batch` as fast as it can while `workers` claim and complete.
    func steady(seconds: Double, workers: Int, batch: Int, idleWaitMs: Int) async throws -> (enqueued: Double, completed: Double) {
        let configuration = try await freshSchema()
        try await fill(configuration, jobs: 1_000)
        let connections = try await (0...workers).asyncMap { _ in
            try await PostgresConnection.connect(configuration, logger: logger)
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let (enqueued, completed) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask {
                try await connections[0].run { connection in
                    var enqueued = 0
                    while ContinuousClock.now < deadline {
                        let jobs = (0..<batch).map { NewJob(kind: "noop", argsJSON: "{\"n\": \(enqueued + $0)}") }
                        enqueued += try JobQueue.enqueue(jobs, on: connection).count
                    }
                    return (enqueued, 0)
                }
            }
            for index in 1...workers {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < deadline {
                        let claimed = try await connections[index].run { connection in
                            let claimed = try JobQueue.claim(
                                queues: ["default"], limit: batch, workerID: "bench-\(index)", lease: .seconds(60),
                                on: connection)
                            if !claimed.isEmpty { _ = try JobQueue.complete(claimed.map(\.lease), on: connection) }
                            return claimed.count
                        }
                        done += claimed
                        if claimed < batch { try await Task.sleep(for: .milliseconds(idleWaitMs)) }
                    }
                    return (0, done)
                }
            }
            return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        let elapsed = (ContinuousClock.now - started).seconds
        for connection in connections { await connection.close() }
        return (Double(enqueued) / elapsed, Double(completed) / elapsed)
    }

    func bulkEnqueue(jobs: Int, chunk: Int) async throws -> Double {
        let configuration = try await freshSchema()
        let connection = try await PostgresConnection.connect(configuration, logger: logger)
        let batches = stride(from: 0, to: jobs, by: chunk).map { start in
            (start..<min(start + chunk, jobs)).map {
                NewJob(kind: "import", argsJSON: "{\"window\": \($0)}", priority: 3, uniqueKey: "window-\($0)")
            }
        }
        let started = ContinuousClock.now
        var inserted = 0
        for batch in batches {
            inserted += try await connection.run { connection in try JobQueue.enqueue(batch, on: connection).count }
        }
        let seconds = (ContinuousClock.now - started).seconds
        await connection.close()
        precondition(inserted == jobs, "inserted \(inserted) of \(jobs)")
        return Double(inserted) / seconds
    }

    /// Times single-job claims (the claim statement's round trip) against a large backlog.
    func claimLatency(backlog: Int, samples: Int) async throws -> (p50: Double, p99: Double) {
        let configuration = try await freshSchema()
        try await fill(configuration, jobs: backlog)
        let connection = try await PostgresConnection.connect(configuration, logger: logger)
        let timings = try await connection.run { connection in
            var timings: [Double] = []
            timings.reserveCapacity(samples)
            for _ in 0..<samples {
                let started = ContinuousClock.now
                let claimed = try JobQueue.claim(
                    queues: ["default"], limit: 1, workerID: "latency", lease: .seconds(60), on: connection)
                timings.append((ContinuousClock.now - started).seconds * 1000)
                try JobQueue.complete(claimed[0].lease, on: connection)
            }
            return timings.sorted()
        }
        await connection.close()
        return (timings[timings.count / 2], timings[min(timings.count - 1, timings.count * 99 / 100)])
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
