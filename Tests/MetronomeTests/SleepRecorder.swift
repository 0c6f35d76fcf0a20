import Synchronization

/// Records the delays the client asked to sleep.
final class SleepRecorder: Sendable {
    private let delays = Mutex<[Duration]>([])

    func record(_ delay: Duration) { delays.withLock { $0.append(delay) } }

    var recorded: [Duration] { delays.withLock { $0 } }
}
