public import Foundation
public import Postgres

/// The lifecycle of a job. `completed`, `discarded` and `cancelled` are final.
public enum JobState: String, Sendable, CaseIterable, Codable, PostgresEncodable, PostgresDecodable {
    /// Waiting to be claimed once `run_at` has passed (also where snoozed and released jobs go).
    case available
    /// Claimed by a worker that holds its lease.
    case running
    /// Failed; waits for its backoff, then the maintenance leader makes it `available` again.
    case retryable
    case completed
    /// Gave up: out of attempts, or discarded by its handler with a reason.
    case discarded
    case cancelled

    public var isFinal: Bool { self == .completed || self == .discarded || self == .cancelled }
    public var postgresText: String? { rawValue }
    public init(postgresText text: String) throws(PostgresError) {
        guard let state = JobState(rawValue: text) else { throw PostgresError(kind: .client, message: "unknown job state") }
        self = state
    }
}

/// A job to enqueue. `args` is JSON, produced from any `Encodable` value.
public struct NewJob: Sendable {
    public var queue: String
    public var kind: String
    public var argsJSON: String
    public var priority: Int16
    public var runAt: Date?
    public var maxAttempts: Int16
    /// While a job with this key is unfinished, enqueuing another with the same key does nothing.
    public var uniqueKey: String?
    /// The group the job belongs to, whose cap bounds how many of its jobs run at once; enqueuing states
    /// the group's cap. Nil: the job belongs to no group.
    public var group: JobGroup?

    public init(
        kind: String, args: some Encodable, queue: String = "default", priority: Int16 = 2, runAt: Date? = nil,
        maxAttempts: Int16 = 20, uniqueKey: String? = nil, group: JobGroup? = nil
    ) throws {
        self.init(
            kind: kind, argsJSON: try JobJSON.encode(args), queue: queue, priority: priority, runAt: runAt,
            maxAttempts: maxAttempts, uniqueKey: uniqueKey, group: group)
    }

    public init(
        kind: String, argsJSON: String = "{}", queue: String = "default", priority: Int16 = 2, runAt: Date? = nil,
        maxAttempts: Int16 = 20, uniqueKey: String? = nil, group: JobGroup? = nil
    ) {
        self.queue = queue
        self.kind = kind
        self.argsJSON = argsJSON
        self.priority = priority
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
        self.group = group
    }
}

/// Jobs that share a limited resource (for the importer, one Metronome connection's request budget). At
/// most `maxRunning` of a group's jobs run at once across all workers, and a claim serves the groups with
/// the fewest jobs running first, so a slot never waits on a resource that its group already saturates
/// while another group has work.
public struct JobGroup: Sendable, Hashable, Codable {
    public var key: String
    /// Nil: no cap.
    public var maxRunning: Int?

    public init(key: String, maxRunning: Int?) {
        precondition(maxRunning.map { $0 > 0 } ?? true, "a group's cap must be positive")
        self.key = key
        self.maxRunning = maxRunning
    }
}

/// A group as the queue sees it now.
public struct JobGroupStatus: Sendable, Hashable, Codable {
    public var key: String
    public var maxRunning: Int?
    public var running: Int
    public var available: Int

    public init(key: String, maxRunning: Int?, running: Int, available: Int) {
        self.key = key
        self.maxRunning = maxRunning
        self.running = running
        self.available = available
    }
}

/// What a claim holds: the right to change one job until the lease expires or the job is reclaimed.
/// Every state change is fenced on it, so a worker whose lease was lost changes nothing.
public struct JobLease: Sendable, Hashable {
    public var jobID: Int64
    public var token: UUID
    public var workerID: String
}

/// A job claimed by a worker.
public struct ClaimedJob: Sendable {
    public var lease: JobLease
    public var id: Int64 { lease.jobID }
    public var queue: String
    public var kind: String
    public var argsJSON: String
    public var priority: Int16
    /// This attempt's number, starting at 1.
    public var attempt: Int16
    public var maxAttempts: Int16
    public var snoozes: Int
    /// The checkpoint saved by an earlier attempt, as JSON.
    public var cursorJSON: String?
    public var createdAt: Date

    public func args<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JobJSON.decode(type, from: argsJSON)
    }

    public func cursor<T: Decodable>(as type: T.Type = T.self) throws -> T? {
        try cursorJSON.map { try JobJSON.decode(type, from: $0) }
    }

    /// True when a failure now would discard the job instead of retrying it.
    public var isLastAttempt: Bool { attempt >= maxAttempts }
}

/// A job as operators see it.
public struct JobRecord: Sendable, Codable {
    public var id: Int64
    public var queue: String
    public var kind: String
    public var state: JobState
    public var argsJSON: String
    public var priority: Int16
    public var attempt: Int16
    public var maxAttempts: Int16
    public var snoozes: Int
    public var runAt: Date
    public var lockedBy: String?
    public var leaseExpiresAt: Date?
    public var cursorJSON: String?
    public var errors: [JobErrorEntry]
    public var uniqueKey: String?
    public var createdAt: Date
    public var attemptedAt: Date?
    public var finalizedAt: Date?
}

/// One entry of a job's error history.
public struct JobErrorEntry: Sendable, Codable, Equatable {
    public var attempt: Int
    public var at: String
    public var error: String
    /// `failure`, `lease_expired`, `discarded`, `snooze_limit`.
    public var kind: String
}

enum JobJSON {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }
}
