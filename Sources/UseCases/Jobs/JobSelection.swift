import Foundation
public import JobQueue
import Importer
public import Metronome

/// Which jobs an operator means: the one selection behind `meterbridge jobs list|retry|cancel`, the
/// console's job list and bulk retry, and MCP's `retry_failed_jobs`. Metrics and connections are named
/// as people name them (a title, a name); ``resolved(in:queues:)`` turns them into the ids jobs carry.
public struct JobSelection: Sendable, Equatable {
    /// These jobs only (none: any).
    public var ids: [Int64]
    /// A job kind: `catalog_sync`, `import_usage` or `import_revenue`.
    public var kind: String?
    /// A queue: `sync` or `backfill`.
    public var queue: String?
    /// Jobs importing the metric with this title (a shared revenue job counts for each of its metrics).
    public var metric: String?
    /// Jobs of the connection with this name.
    public var connection: String?
    /// Jobs whose args contain this JSON object, e.g. `{"batch": 3}`.
    public var argsJSON: String?
    public var state: JobState?
    /// Jobs that finished on or after this UTC day.
    public var finishedSince: UTCDay?

    public init(
        ids: [Int64] = [], kind: String? = nil, queue: String? = nil, metric: String? = nil, connection: String? = nil,
        argsJSON: String? = nil, state: JobState? = nil, finishedSince: UTCDay? = nil
    ) {
        self.ids = ids
        self.kind = kind
        self.queue = queue
        self.metric = metric
        self.connection = connection
        self.argsJSON = argsJSON
        self.state = state
        self.finishedSince = finishedSince
    }

    /// Whether nothing narrows the selection (every job, whatever its state).
    public var selectsEverything: Bool {
        ids.isEmpty && kind == nil && queue == nil && metric == nil && connection == nil && argsJSON == nil
    }

    /// Refuses what can never match: an unknown kind, args that are not a JSON object. (A queue is known
    /// only to the database: ``resolved(in:queues:)`` checks it.)
    public func validate() throws(UseCaseError) {
        if let kind, ImportJobKind(rawValue: kind) == nil {
            throw .invalid(.kind, reason: "unknown job kind \(kind); the kinds are \(ImportJobKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let argsJSON, Self.object(argsJSON) == nil {
            throw .invalid(.args, reason: "must be a JSON object, e.g. {\"batch\": 3}")
        }
    }

    /// The queue's filter: the metric and connection resolved to the ids in the jobs' args. `queues`: the
    /// queues that exist (the import queues and any other with jobs), asked only for a queue not an import one.
    public func resolved(in catalog: Catalog, queues: () async throws -> [String]) async throws -> JobQueue.Filter {
        try validate()
        if let queue, !ImportQueue.all.contains(queue) {
            let known = Set(ImportQueue.all + (try await queues()))
            guard known.contains(queue) else {
                throw UseCaseError.invalid(.queue, reason: "unknown queue \(queue); the queues are \(known.sorted().joined(separator: ", "))")
            }
        }
        var containment = argsJSON.flatMap(Self.object) ?? [:]
        if let metric { containment[ImportJobArgs.metricIDsKey] = [try await catalog.metric(titled: metric).id] }
        if let connection { containment[ImportJobArgs.connectionIDKey] = try await catalog.connection(named: connection).id }
        let json =
            containment.isEmpty
            ? nil : String(decoding: try JSONSerialization.data(withJSONObject: containment, options: [.sortedKeys]), as: UTF8.self)
        return JobQueue.Filter(
            ids: ids.isEmpty ? nil : ids, kind: kind, argsContainJSON: json, queue: queue, state: state,
            finishedSince: finishedSince?.start)
    }

    static func object(_ json: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
    }
}
