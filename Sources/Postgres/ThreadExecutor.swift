import Foundation

/// A serial executor that runs every job on one dedicated OS thread.
///
/// libpq is a blocking C library: a query parks its calling thread until the server answers. Swift's
/// cooperative pool has about one thread per core and must never block, so each connection actor runs
/// on its own thread instead (SE-0392 custom executors). The thread ends after `shutdown()` once the
/// queue is drained.
final class ThreadExecutor: SerialExecutor, @unchecked Sendable {
    // All mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopped = false

    init(name: String) {
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread exit once every queued job has run.
    func shutdown() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    /// The executor's thread, set once before the first job runs.
    private nonisolated(unsafe) var thread: pthread_t?

    /// True on the executor's own thread. Debug builds assert this before every libpq call.
    var isCurrentThread: Bool {
        thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    private func runLoop() {
        thread = pthread_self()
        while true {
            condition.lock()
            while head == jobs.count && !stopped { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 64 && head * 2 > jobs.count {  // compact without reallocating on every job
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedSerialExecutor())
        }
    }
}
