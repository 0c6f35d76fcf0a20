import Foundation
import Importer
import JobQueue
import Postgres
import Synchronization

/// One scenario in progress: its worker and planner processes, what the suite did to them, and the
/// disruptions, which run until the import is done.
final class FaultRun: Sendable {
    let lab: FaultLab
    let scenario: FaultScenario
    let configuration: PostgresConfiguration
    private let state = Mutex(State())
    let logDirectory: URL

    struct State {
        var workers: [ChildProcess] = []
        var planners: [ChildProcess] = []
        var retired: [ChildProcess] = []
        var kills = 0
        var done = false
        var problem: String?
        var note: String?
    }

    init(lab: FaultLab, scenario: FaultScenario, configuration: PostgresConfiguration) {
        self.lab = lab
        self.scenario = scenario
        self.configuration = configuration
        logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("meterbridge-faults-\(scenario.name)-\(getpid())")
        try? FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
    }

    var workers: [ChildProcess] { state.withLock { $0.workers } }
    var kills: Int { state.withLock { $0.kills } }
    var isDone: Bool { state.withLock { $0.done } }
    var problem: String? { state.withLock { $0.problem } }
    var note: String? { state.withLock { $0.note } }
    func markDone() { state.withLock { $0.done = true } }
    func fail(_ problem: String) { state.withLock { $0.problem = $0.problem ?? problem } }
    func note(_ note: String) { state.withLock { $0.note = note } }

    private var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(configuration.searchPath ?? "public")"
        environment["METERBRIDGE_SECRET_KEY"] = ImportRunner.secretKey
        environment["METERBRIDGE_TODAY"] = lab.today.description
        environment["LOG_LEVEL"] = "warning"
        return environment
    }

    @discardableResult
    func spawnWorker() throws -> ChildProcess {
        let index = state.withLock { $0.workers.count + $0.retired.count }
        let worker = try ChildProcess(
            ImportRunner.binary("meterbridge-worker"),
            arguments: [
                "--concurrency", "4", "--poll-interval", "0.2", "--lease-seconds", String(scenario.lease), "--shutdown-grace", "5",
            ] + scenario.workerArguments,
            environment: environment, log: logDirectory.appendingPathComponent("worker-\(index).log"))
        state.withLock { $0.workers.append(worker) }
        return worker
    }

    func spawnPlanner() throws {
        let index = state.withLock { $0.planners.count + $0.retired.count }
        let planner = try ChildProcess(
            ImportRunner.binary("meterbridge-planner"), arguments: ["--interval", "1", "--max-backlog", "1000000"],
            environment: environment, log: logDirectory.appendingPathComponent("planner-\(index).log"))
        state.withLock { $0.planners.append(planner) }
    }

    /// Done when no job is left to run and a dry-run plan on the pinned day finds nothing to import.
    func waitUntilDone(timeLimit: Double) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeLimit)
        var quietChecks = 0
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            let complete = try await withDatabase(configuration) { pool in
                let counts = try await self.lab.queue(pool).admin.stateCounts(JobQueue.Filter())
                guard counts.filter({ !$0.key.isFinal }).isEmpty else { return false }
                let summary = try await lab.planner(pool: pool).plan(dryRun: true)
                return summary.syncJobs + summary.backfillJobs == 0
            }
            // Twice in a row, so a planner process between its plan and its commit is not missed.
            quietChecks = complete ? quietChecks + 1 : 0
            if quietChecks >= 2 { return true }
        }
        return false
    }

    /// SIGTERM, then SIGKILL after 20 s.
    func stopWorkers() async {
        let workers = state.withLock { $0.workers }
        for worker in workers { worker.signal(SIGTERM) }
        for worker in workers { await worker.waitForExit(seconds: 20) }
    }

    func stopPlanners() {
        for planner in state.withLock({ $0.planners }) { planner.killHard() }
    }

    func stopAll() {
        let all = state.withLock { $0.workers + $0.planners }
        for process in all where process.isRunning { process.killHard() }
    }

    /// Lines of every worker and planner log so far that contain `text`.
    func logLines(containing text: String) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(at: logDirectory, includingPropertiesForKeys: nil)) ?? []
        return files.reduce(0) { count, file in
            count + ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains(text) }.count
        }
    }

    /// Jobs running now, held by the worker with process id `pid` (all running jobs when nil): each can
    /// lose the one page it has fetched and not yet committed when its holder dies.
    func runningJobs(heldBy pid: pid_t? = nil) async throws -> Int {
        try await withDatabase(configuration) { pool in
            try await self.lab.queue(pool).admin.list(JobQueue.Filter(state: .running)).filter { job in
                pid.map { pid in job.lockedBy?.contains("-\(pid)-") == true } ?? true
            }.count
        }
    }

    /// Counts `jobs` toward the pages that may be fetched twice.
    func allowRefetch(_ jobs: Int) { state.withLock { $0.kills += jobs } }

    // MARK: Disruptions

    /// The share of planned jobs completed, 0...1 (0 before anything is planned).
    func progress() async throws -> Double {
        try await withDatabase(configuration) { pool in
            let counts = try await self.lab.queue(pool).admin.stateCounts(JobQueue.Filter())
            let total = counts.values.reduce(0, +)
            return total == 0 ? 0 : Double(counts[.completed, default: 0]) / Double(total)
        }
    }

    /// Waits until `share` of the jobs are completed (or the import is done).
    func waitForProgress(_ share: Double) async throws {
        while !isDone, try await progress() < share { try await Task.sleep(for: .milliseconds(200)) }
    }

    func restartPostgres() async throws -> Int {
        var restarts = 0
        for (share, mode) in [(0.25, "fast"), (0.6, "immediate")] {
            try await waitForProgress(share)
            if isDone { break }
            // A restart ends every backend mid-transaction, as a kill -9 ends a worker: a running job may
            // then fetch its page in flight again.
            allowRefetch(try await runningJobs())
            try await lab.postgres.restart(mode: mode)
            restarts += 1
        }
        if restarts < 2 { fail("only \(restarts) restart(s) happened before the import finished") }
        return restarts
    }

    func terminateBackends() async throws -> Int {
        var terminated = 0
        try await waitForProgress(0.05)
        while !isDone {
            terminated += try await withDatabase(configuration) { pool in
                try await pool.query(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        + "WHERE application_name = 'meterbridge-worker' AND pid <> pg_backend_pid()) AS t"
                ).single().decode(Int.self, at: 0)
            }
            try await Task.sleep(for: .seconds(1.5))
        }
        if terminated < 6 { fail("only \(terminated) backends terminated") }
        return terminated
    }

    /// Holds an exclusive lock on the values and the shared rate limiter for longer than the workers' 1 s
    /// statement timeout, three times: page commits and request reservations time out meanwhile.
    func holdLocks() async throws -> Int {
        var holds = 0
        for share in [0.2, 0.45, 0.7] {
            try await waitForProgress(share)
            if isDone { break }
            _ = try await withDatabase(configuration) { pool in
                try await pool.withConnection { connection in
                    try await connection.simpleQuery("BEGIN; LOCK TABLE metric_values, rate_limits IN EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;")
                }
            }
            holds += 1
        }
        if holds < 3 { fail("only \(holds) lock holds happened before the import finished") }
        let timeouts = logLines(containing: "statement timeout")
        if timeouts == 0 { fail("no worker hit its statement timeout") } else { note("\(timeouts) statement timeouts hit") }
        return holds
    }

    /// A repeatable-read transaction that holds the xmin horizon for `seconds` while the queue
    /// runs; the throughput (completed jobs per second) during and after it is reported.
    func holdXminHorizon(seconds: Double) async throws -> Int {
        try await waitForProgress(0.02)
        let completedAt: (Double) async throws -> Int = { _ in
            try await withDatabase(self.configuration) { pool in
                try await self.lab.queue(pool).admin.stateCounts(JobQueue.Filter())[.completed, default: 0]
            }
        }
        let before = try await completedAt(0)
        let start = ContinuousClock.now
        _ = try await withDatabase(configuration) { pool in
            try await pool.withConnection { connection in
                try await connection.simpleQuery(
                    "SET statement_timeout = 0; BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM metric_values; "
                        + "SELECT pg_sleep(\(seconds)); COMMIT;")
            }
        }
        let held = (ContinuousClock.now - start).seconds
        let during = try await completedAt(0)
        let afterStart = ContinuousClock.now
        // Measure as long again as the remaining import allows, at most 20 s.
        while !isDone && (ContinuousClock.now - afterStart) < .seconds(20) { try await Task.sleep(for: .milliseconds(250)) }
        let after = try await completedAt(0)
        let afterSeconds = (ContinuousClock.now - afterStart).seconds
        let rateDuring = Double(during - before) / held
        let rateAfter = Double(after - during) / max(afterSeconds, 0.001)
        note(String(format: "jobs/s while held %.2f, after %.2f", rateDuring, rateAfter))
        if isDone && afterSeconds < 5 {
            fail("the import finished before the horizon was released; nothing measured after")
        } else if rateAfter < 0.5 * rateDuring {
            fail(String(format: "throughput did not recover: %.2f jobs/s after, %.2f while held", rateAfter, rateDuring))
        }
        return 1
    }

    func killWorkers(times: Int) async throws -> Int {
        try await waitForProgress(0.02)
        var killed = 0
        while killed < times && !isDone {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_200)))
            guard let victim = state.withLock({ state -> ChildProcess? in
                guard !state.workers.isEmpty else { return nil }
                let victim = state.workers.remove(at: Int.random(in: 0..<state.workers.count))
                state.retired.append(victim)
                return victim
            }) else { continue }
            victim.killHard()
            // Read after the kill: a job cannot change hands before its lease expires.
            allowRefetch(try await runningJobs(heldBy: victim.pid))
            killed += 1
            try spawnWorker()
        }
        if killed < times { fail("only \(killed) of \(times) kills happened before the import finished") }
        return killed
    }

    func killPlanners(times: Int) async throws -> Int {
        var killed = 0
        while killed < times && !isDone {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500)))
            guard let victim = state.withLock({ state -> ChildProcess? in
                guard !state.planners.isEmpty else { return nil }
                let victim = state.planners.remove(at: Int.random(in: 0..<state.planners.count))
                state.retired.append(victim)
                return victim
            }) else { continue }
            victim.killHard()
            killed += 1
            try spawnPlanner()
        }
        if killed < times { fail("only \(killed) of \(times) planner kills happened before the import finished") }
        return killed
    }

    /// SIGSTOP a worker that holds a checkpointed job until well past its lease, then SIGCONT: another
    /// worker has taken the job over, and the stopped one's writes must be refused.
    func stopWorkerPastLease() async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        var victim: ChildProcess?
        while victim == nil && !isDone && ContinuousClock.now < deadline {
            let holders = try await withDatabase(configuration) { pool in
                try await self.lab.queue(pool).admin.list(JobQueue.Filter(state: .running)).filter { $0.cursorJSON != nil }.compactMap(\.lockedBy)
            }
            victim = workers.first { worker in holders.contains { $0.contains("-\(worker.pid)-") } }
            if victim == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard let victim else {
            fail("no worker held a checkpointed job to stop")
            return 0
        }
        victim.signal(SIGSTOP)
        allowRefetch(try await runningJobs(heldBy: victim.pid))
        try await Task.sleep(for: .seconds(scenario.lease * 3))
        victim.signal(SIGCONT)
        // Its next write or heartbeat finds the lease gone; the log says the result was not recorded.
        let seen = ContinuousClock.now + .seconds(30)
        var refused = false
        while !refused && ContinuousClock.now < seen {
            let log = (try? String(contentsOf: victim.log, encoding: .utf8)) ?? ""
            refused = log.contains("lost its lease") || log.contains("lost their lease")
            if !refused { try await Task.sleep(for: .milliseconds(200)) }
        }
        if !refused { fail("the resumed worker did not report its lease lost") } else { note("resumed worker's writes refused") }
        return 1
    }
}

/// A child process with its output in a log file, started with `posix_spawn` and reaped with
/// `waitpid`: Foundation's `Process.waitUntilExit` can wait forever for a child that is long gone.
final class ChildProcess: Sendable {
    let pid: pid_t
    let log: URL
    private let status = Mutex<Int32?>(nil)

    init(_ executable: URL, arguments: [String], environment: [String: String], log: URL) throws {
        self.log = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard result == 0 else { throw BenchError("cannot start \(executable.path): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    /// Reaps the child if it has exited; true while it runs.
    var isRunning: Bool {
        status.withLock { status in
            guard status == nil else { return false }
            var code: Int32 = 0
            if waitpid(pid, &code, WNOHANG) == pid { status = code }
            return status == nil
        }
    }

    func signal(_ signal: Int32) { if isRunning { Foundation.kill(pid, signal) } }

    /// SIGKILL, then wait for the kernel to reap it (immediate for a process not in the kernel).
    func killHard() {
        guard isRunning else { return }
        Foundation.kill(pid, SIGKILL)
        status.withLock { status in
            var code: Int32 = 0
            if status == nil, waitpid(pid, &code, 0) == pid { status = code }
        }
    }

    /// Waits up to `seconds` for the child to exit on its own, then kills it.
    func waitForExit(seconds: Double) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        killHard()
    }

    /// The exit status once it has exited (raw `waitpid` status), waiting for it.
    func exitStatus() async -> Int32 {
        while isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        return status.withLock { $0 ?? -1 }
    }

    /// Resident memory now, from /proc.
    func residentMB() -> Double { ProcStatus.megabytes("VmRSS", pid: pid) ?? 0 }

    func openFiles() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count ?? 0
    }
}
