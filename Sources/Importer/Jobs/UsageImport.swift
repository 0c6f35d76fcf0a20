import Foundation
import JobQueue
import Metronome
import Postgres

/// A usage window: `POST /v1/usage` for one billable metric and a batch of customers, page by page,
/// each page's values committed with the job's checkpoint; the last page also removes the days no
/// longer reported, records coverage and completes the job.
struct UsageImport: Sendable {
    let pages: PageCommitter
    let clock: ImportClock

    func run(
        _ job: ClaimedJob, args: ImportJobArgs, metric: BusinessMetric, billableMetricID: String, client: MetronomeClient
    ) async throws {
        let saved = try job.cursor(as: UsageCursor.self)
        var seen = Set(saved?.seen ?? [])
        let window = try DayWindow(firstDay: args.window.start, endDay: args.window.end)
        let query = UsageQuery(
            window: window, windowSize: .day, customerIDs: args.customerIDs,
            billableMetrics: [UsageMetricSelection(id: billableMetricID)])
        let batch = Set(args.customerIDs)
        let lease = job.lease
        var pageStarted = ContinuousClock.now
        for try await page in client.usage(query, resumingFrom: saved?.nextPage) {
            defer {
                PageCommitter.recordPageDuration(since: pageStarted)
                pageStarted = .now
            }
            let rows = page.items
                .filter { $0.billableMetricID == billableMetricID && batch.contains($0.customerID) }
                .filter { args.window.contains($0.day) }
                .map { (customerID: $0.customerID, day: $0.day, amount: $0.value) }
            seen.formUnion(rows.map(\.customerID))
            let cursor = UsageCursor(nextPage: page.nextCursor, seen: seen.sorted())
            let cursorJSON = try JSONEncoder.sorted.encodeToString(cursor)
            let isLast = page.isLast
            let seenNow = seen
            let now = clock.now
            if !isLast {
                // Most pages of a history import are new days: their values and the checkpoint commit in
                // one statement.
                let written = try await pages.commitInOneStatement { db in
                    try MetricValueWriter.insertWithCheckpoint(
                        metricID: metric.id, rows: rows, lease: lease, cursorJSON: cursorJSON, on: db)
                }
                if written == .committed { continue }
            }
            try await pages.commit { db in
                try MetricValueWriter.apply(metricID: metric.id, rows: rows, on: db)
                if isLast {
                    try Self.finish(args: args, seen: seenNow, lease: lease, now: now, on: db)
                } else {
                    try JobQueue.checkpoint(lease, cursorJSON: cursorJSON, on: db)
                }
            }
        }
    }

    private static func finish(
        args: ImportJobArgs, seen: Set<String>, lease: JobLease, now: Date, on db: isolated PostgresConnection
    ) throws {
        for metricID in args.metricIDs {
            try MetricValueWriter.removeUnreported(
                metricID: metricID, window: args.window, customers: args.customerIDs, reported: seen, on: db)
        }
        try MetricValueWriter.recordCoverage(args, now: now, on: db)
        try JobQueue.complete(lease, on: db)
    }
}
