public import Logging
import Synchronization

/// Collects the messages logged through it, for tests that wait on a log event.
public final class RecordingLog: Sendable {
    public init() {}

    private let messages = Mutex<[String]>([])
    public var all: [String] { messages.withLock { $0 } }
    func record(_ message: String) { messages.withLock { $0.append(message) } }

    public var logger: Logger {
        Logger(label: "recording") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: RecordingLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { log.record(event.message.description) }
    }
}
