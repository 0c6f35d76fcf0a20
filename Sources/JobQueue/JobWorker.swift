import Backoff
import Foundation
public import Logging
import Metrics
import Postgres
import Synchronization
public import ServiceLifecycle

/// Runs jobs from a ``JobQueue``: claims as many as it has free slots, heartbeats their leases, hands
/// each to the handler, and records the outcome. Wakes on NOTIFY, and polls as a fallback because
/// notifications are only hints (lost across reconnects, absent behind some poolers).
///
/// On graceful shutdown (SIGTERM) it stops claiming, lets running jobs finish for `shutdownGrace`,
/// then cancels them and releases their jobs untouched (no attempt used), and returns.
public struct JobWorker: Service {
    public struct Options: Sendable {
        public var queues: [String] = ["default"]
        public var concurrency: Int = 4
        public var workerID: String = JobWorker.defaultWorkerID()
        /// How often to look for jobs when no notification arrives.
        public var pollInterval: Duration = .seconds(1)
        public var shutdownGrace: Duration = .seconds(25)
        /// Return once no job is available or running (batch runs and tests), after `idleChecks` empty
        /// polls in a row.
        public var exitWhenIdle: Bool = false
        /// Decides, when the queue looks idle, whether to keep waiting (e.g. a retry is due soon).
        public var keepWaitingWhenIdle: (@Sendable () async throws -> Bool)?
        /// Told each time the claim and heartbeat loops run, for a liveness probe.
        public var liveness: WorkerLiveness?
        /// Seconds between the progress lines the worker logs while it works (jobs completed, failed,
        /// waiting, running); 0: none.
        public var progressInterval: Duration = .seconds(30)
        public init() {}
    }

    /// What the worker's jobs came to since the last progress line, and since it started.
    final class Tally: Sendable {
        struct Counts: Sendable { var completed = 0, waited = 0, failed = 0, discarded = 0 }
        private let state = Mutex<(interval: Counts, total: Counts)>((Counts(), Counts()))

        func add(_ change: (inout Counts) -> Void) {
            state.withLock { change(&$0.interval); change(&$0.total) }
        }

        /// The interval's counts, starting the next interval.
        func takeInterval() -> Counts { state.withLock { let counts = $0.interval; $0.interval = Counts(); return counts } }
        var total: Counts { state.withLock { $0.total } }
    }

    private let tally = Tally()

    public let queue: JobQueue
    public let handler: any JobHandler
    public let options: Options
    private let logger: Logger

    public init(queue: JobQueue, handler: any JobHandler, options: Options, logger: Logger) {
        precondition(options.concurrency > 0, "concurrency must be positive")
        self.queue = queue
        self.handler = handler
        self.options = options
        var logger = logger
        logger[metadataKey: "worker.id"] = "\(options.workerID)"
        self.logger = logger
    }

    public static func defaultWorkerID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt16.random(in: 0...UInt16.max))"
    }

    public func run() async throws {
        let running = RunningJobs()
        let wakeup = Wakeup()
        let stopping = StopFlag()
        logger.info("worker started", metadata: ["worker.queues": "\(options.queues)", "worker.concurrency": "\(options.concurrency)"])
        try await withGracefulShutdownHandler {
            // A discarding group: a finished job's task is freed at once. (A plain task group keeps every
            // finished child until `next()` collects it, so memory grew with every job a worker ran.)
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await heartbeatLoop(running) }
                group.addTask { await notificationLoop(wakeup) }
                if options.progressInterval > .zero { group.addTask { await progressLoop(running) } }
                try await claimLoop(group: &group, running: running, wakeup: wakeup, stopping: stopping)
                await drain(running: running, wakeup: wakeup)
                // Cancelled handlers release their jobs before their tasks end; the group awaits them.
                group.cancelAll()
            }
        } onGracefulShutdown: {
            stopping.set()
            Task { await wakeup.signal() }
        }
        logger.info("worker stopped")
    }

    private func claimLoop(
        group: inout ThrowingDiscardingTaskGroup<any Error>, running: RunningJobs, wakeup: Wakeup, stopping: StopFlag
    ) async throws {
        var emptyPolls = 0
        var claimFailures = 0
        while !stopping.isSet && !Task.isCancelled {
            options.liveness?.claimLoopRan()
            let free = options.concurrency - (await running.count)
            var claimed: [ClaimedJob] = []
            if free > 0 {
                do {
                    claimed = try await queue.claim(queues: options.queues, limit: free, workerID: options.workerID)
                    claimFailures = 0
                } catch {
                    // Database trouble (a restart, a lock held past the statement timeout, a schema being
                    // migrated) never stops the worker: running jobs keep their heartbeats, and claims
                    // resume, with jittered backoff, when the database recovers.
                    if Task.isCancelled || stopping.isSet { break }
                    claimFailures += 1
                    let delay = Self.claimBackoff(failures: claimFailures)
                    logger.warning(
                        "claim failed; retrying",
                        metadata: ["error": "\(error)", "worker.retry_in_seconds": "\(String(format: "%.2f", delay.seconds))"])
                    Counter(label: "meterbridge_claim_failures_total").increment()
                    await wakeup.wait(timeout: delay)
                    continue
                }
            }
            for job in claimed {
                Counter(label: "meterbridge_jobs_claimed_total", dimensions: [("kind", job.kind)]).increment()
                await running.add(job.lease)
                group.addTask {
                    await execute(job, running: running)
                    await running.remove(job.id)
                    await wakeup.signal()
                }
            }
            if !claimed.isEmpty {
                emptyPolls = 0
                if claimed.count == free { continue }  // there may be more: claim again at once
            }
            if options.exitWhenIdle, claimed.isEmpty, await running.count == 0 {
                emptyPolls += 1
                if emptyPolls >= 2 {
                    if let keepWaiting = options.keepWaitingWhenIdle, try await keepWaiting() {
                        emptyPolls = 0
                    } else {
                        let total = tally.total
                        logger.info(
                            "queue is idle; exiting",
                            metadata: [
                                "jobs.completed": "\(total.completed)", "jobs.failed": "\(total.failed)",
                                "jobs.discarded": "\(total.discarded)", "jobs.waited": "\(total.waited)",
                            ])
                        return
                    }
                }
            }
            await wakeup.wait(timeout: options.pollInterval)
        }
    }

    /// The wait before the next claim after `failures` failed claims in a row (``Backoff/claimRetry``).
    public static func claimBackoff(failures: Int) -> Duration {
        Backoff.claimRetry.delay(retry: failures)
    }

    /// Waits for running jobs to finish, up to the grace period.
    private func drain(running: RunningJobs, wakeup: Wakeup) async {
        let deadline = ContinuousClock.now + options.shutdownGrace
        while await running.count > 0, ContinuousClock.now < deadline {
            await wakeup.wait(timeout: .milliseconds(200))
        }
    }

    private func execute(_ job: ClaimedJob, running: RunningJobs) async {
        var logger = logger
        logger[metadataKey: "job.id"] = "\(job.id)"
        logger[metadataKey: "job.kind"] = "\(job.kind)"
        logger[metadataKey: "job.attempt"] = "\(job.attempt)"
        let started = ContinuousClock.now
        defer {
            Timer(label: "meterbridge_job_duration_seconds", dimensions: [("kind", job.kind)], preferredDisplayUnit: .seconds)
                .record(duration: ContinuousClock.now - started)
        }
        do {
            let outcome = try await handler.handle(job, context: JobContext(queue: queue, registry: running))
            try await recordTryingAgain(outcome, for: job, logger: logger)
        } catch where error is CancellationError || Task.isCancelled {
            // Shutdown (whatever error the cancelled I/O surfaced as): hand the job back untouched. The
            // caller is cancelled, so release from a task that is not (awaited right here, so nothing
            // outlives the worker).
            let queue = queue
            let released = await Task { try await queue.release(job.lease) }.result
            if case .failure(let error) = released {
                logger.warning("could not release job", metadata: ["error": "\(error)"])
            } else {
                logger.info("released job for shutdown")
            }
        } catch let error as JobQueueError {
            logger.warning("job lost its lease; its result was not recorded", metadata: ["error": "\(error)"])
        } catch let error as PostgresError where error.isTransient {
            // The database failed, not the job (a restart, a terminated backend, a failover): hand it back
            // for a moment without using an attempt, whose backoff grows to minutes. It resumes from its
            // last checkpoint; if even this cannot be written, its lease runs out and it is rescued.
            do {
                _ = try await queue.snooze(
                    job.lease, for: .milliseconds(Int.random(in: 1_000...3_000)), reason: "the database failed: \(error)", recordReason: true,
                    counted: false)
                logger.warning("the database failed during the job; it resumes shortly", metadata: ["error": "\(error)"])
            } catch {
                logger.warning("could not hand the job back; its lease will run out", metadata: ["error": "\(error)"])
            }
        } catch {
            do {
                let outcome = try await queue.fail(job, error: String(describing: error))
                Self.count(outcome == .discarded ? "discarded" : "failed", job)
                tally.add { outcome == .discarded ? ($0.discarded += 1) : ($0.failed += 1) }
                logger.warning("job attempt failed", metadata: ["error": "\(error)", "job.outcome": "\(outcome)"])
            } catch {
                logger.warning("could not record job failure", metadata: ["error": "\(error)"])
            }
        }
    }

    static func count(_ outcome: String, _ job: ClaimedJob) {
        Counter(label: "meterbridge_jobs_\(outcome)_total", dimensions: [("kind", job.kind)]).increment()
    }

    /// Records the outcome, trying again a few times when the database fails meanwhile: the job's work
    /// is done, and losing its outcome would cost the job an attempt and its work again.
    private func recordTryingAgain(_ outcome: JobOutcome, for job: ClaimedJob, logger: Logger) async throws {
        try await Backoff(initial: .milliseconds(250), cap: .seconds(2)).retrying(
            maxRetries: 3, if: { ($0 as? PostgresError)?.isTransient == true },
            willRetry: { error, _, _ in logger.warning("could not record the job's outcome; trying again", metadata: ["error": "\(error)"]) }
        ) { try await record(outcome, for: job, logger: logger) }
    }

    private func record(_ outcome: JobOutcome, for job: ClaimedJob, logger: Logger) async throws {
        switch outcome {
        case .complete:
            try await queue.complete(job.lease)
            Self.count("completed", job)
            tally.add { $0.completed += 1 }
        case .alreadyCompleted:
            Self.count("completed", job)
            tally.add { $0.completed += 1 }
        case .snooze(let delay, let reason, let record):
            let kept = try await queue.snooze(job.lease, for: delay, reason: reason, recordReason: record)
            Self.count(kept ? "snoozed" : "discarded", job)
            tally.add { kept ? ($0.waited += 1) : ($0.discarded += 1) }
            logger.debug("job snoozed", metadata: ["job.snooze_seconds": "\(delay.seconds)", "job.snooze_kept": "\(kept)"])
        case .hold(let delay, let reason, let record):
            _ = try await queue.snooze(job.lease, for: delay, reason: reason, recordReason: record, counted: false)
            Self.count("snoozed", job)
            tally.add { $0.waited += 1 }
            logger.debug("job held", metadata: ["job.hold_seconds": "\(delay.seconds)", "job.reason": "\(reason)"])
        case .discard(let reason):
            try await queue.discard(job.lease, reason: reason)
            Self.count("discarded", job)
            tally.add { $0.discarded += 1 }
            logger.warning("job discarded", metadata: ["job.reason": "\(reason)"])
        case .retry(let error, let after):
            let result = try await queue.fail(job, error: error, retryAfter: after)
            Self.count(result == .discarded ? "discarded" : "failed", job)
            tally.add { result == .discarded ? ($0.discarded += 1) : ($0.failed += 1) }
            logger.warning("job attempt failed", metadata: ["error": "\(error)", "job.outcome": "\(result)"])
        }
    }

    /// Every `progressInterval` with something to say: the jobs completed, failed, discarded and
    /// sent back to wait (rate limits, a connection's budget booked ahead) in the interval, and those running.
    private func progressLoop(_ running: RunningJobs) async {
        let interval = options.progressInterval
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { break }
            let counts = tally.takeInterval()
            let runningNow = await running.count
            guard counts.completed + counts.failed + counts.discarded + counts.waited > 0 || runningNow > 0 else { continue }
            logger.info(
                "progress",
                metadata: [
                    "jobs.completed": "\(counts.completed)", "jobs.failed": "\(counts.failed)", "jobs.discarded": "\(counts.discarded)",
                    "jobs.waited": "\(counts.waited)", "jobs.running": "\(runningNow)",
                    "jobs.completed_per_minute": "\(String(format: "%.1f", Double(counts.completed) * 60 / interval.seconds))",
                ])
        }
    }

    private func heartbeatLoop(_ running: RunningJobs) async {
        let interval = queue.configuration.lease / 3
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { break }
            let leases = await running.all
            guard !leases.isEmpty, !Task.isCancelled else {
                options.liveness?.heartbeatRan()
                continue
            }
            do {
                let held = try await queue.heartbeat(leases)
                let lost = leases.map(\.jobID).filter { !held.contains($0) }
                if !lost.isEmpty {
                    await running.markLost(lost)
                    logger.warning("jobs lost their lease", metadata: ["job.ids": "\(lost)"])
                }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
            // A beat that ran counts, even a failed one: the loop is not stuck (a database outage shows
            // in readiness, and a restart would not help).
            options.liveness?.heartbeatRan()
        }
    }

    /// LISTENs on the queue's channel on a dedicated connection and turns notifications for our queues
    /// into wake-ups; reconnects with backoff. Polling covers whatever is missed.
    private func notificationLoop(_ wakeup: Wakeup) async {
        guard let channel = queue.configuration.notifyChannel else { return }
        let queues = Set(options.queues)
        let backoff = Backoff(initial: .milliseconds(500), cap: .seconds(30))
        var failures = 0
        while !Task.isCancelled {
            do {
                var configuration = queue.pool.configuration
                configuration.applicationName += "-listen"
                let connection = try await PostgresConnection.connect(configuration, logger: logger)
                try await connection.listen(channel)
                failures = 0
                while !Task.isCancelled {
                    let notifications = try await connection.waitForNotifications(timeoutMilliseconds: 250)
                    if notifications.contains(where: { queues.contains($0.payload) }) { await wakeup.signal() }
                }
                await connection.close()
            } catch {
                if Task.isCancelled { return }
                logger.debug("notification listener reconnecting", metadata: ["error": "\(error)"])
                failures += 1
                try? await Task.sleep(for: backoff.delay(retry: failures))
            }
        }
    }
}

/// Set once on shutdown; read from the claim loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
