public import Logging
import Synchronization

/// Collects the messages logged through it, for tests that wait on a log event.
public final class RecordingLog: Sendable {
    public init() {}

    private let entries = Mutex<[(message: String, metadata: [String: String])]>([])
    public var all: [String] { entries.withLock { $0.map(\.message) } }
    /// Every message with its metadata (the logger's and the event's), as text.
    public var events: [(message: String, metadata: [String: String])] { entries.withLock { $0 } }
    func record(_ message: String, _ metadata: [String: String]) { entries.withLock { $0.append((message, metadata)) } }

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
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            log.record(event.message.description, merged.mapValues(\.description))
        }
    }
}
