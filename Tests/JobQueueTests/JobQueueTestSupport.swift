import Foundation
import JobQueue
import Postgres
import TestSupport

/// A migrated schema with a queue over a small pool.
struct QueueFixture {
    let database: TestDatabase
    let queue: JobQueue

    static func make(
        poolSize: Int = 4, function: String = #function, configure: (inout JobQueue.Configuration) -> Void = { _ in }
    ) async throws -> QueueFixture {
        let database = try await TestDatabase.make(function: function)
        var configuration = JobQueue.Configuration()
        configure(&configuration)
        let queue = JobQueue(pool: database.pool(size: poolSize), configuration: configuration, logger: TestDatabase.logger)
        return QueueFixture(database: database, queue: queue)
    }

    func claimOne(worker: String = "worker-a", queues: [String] = ["default"]) async throws -> ClaimedJob? {
        try await queue.claim(queues: queues, limit: 1, workerID: worker).first
    }

    /// Makes a job due now (tests do not wait out real backoffs).
    func makeDue(_ id: Int64) async throws {
        try await queue.pool.query("UPDATE jobs SET run_at = now() WHERE id = $1", [id])
    }

    func state(_ id: Int64) async throws -> JobState {
        try await queue.admin.job(id: id)!.state
    }

    func close() async { await queue.pool.close() }
}
