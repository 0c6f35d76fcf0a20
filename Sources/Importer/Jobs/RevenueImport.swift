import Foundation
import JobQueue
import Metronome
import Postgres

/// A revenue window: the invoice breakdowns of one credit type, customer by customer, summed per
/// metric (one per revenue basis) and written when a customer's walk is complete; the last customer
/// also records coverage and completes the job.
struct RevenueImport: Sendable {
    let pages: PageCommitter
    let clock: ImportClock

    /// `metrics`: the job's metrics (their ids, in `metric_ids` order) with their credit type, one for all.
    func run(
        _ job: ClaimedJob, args: ImportJobArgs, metrics: [(id: Int64, revenue: BusinessMetric.Revenue)], client: MetronomeClient
    ) async throws {
        let creditTypeID = metrics[0].revenue.creditTypeID
        let creditTypeName = metrics[0].revenue.creditTypeName
        let fresh = metrics.map { RevenueAccumulator(creditTypeID: creditTypeID, basis: $0.revenue.basis) }
        let window = try DayWindow(firstDay: args.window.start, endDay: args.window.end)
        let query = InvoiceBreakdownQuery(window: window, windowSize: .day, creditTypeID: creditTypeID, sort: .dateAscending)
        var state = try job.cursor(as: RevenueCursor.self) ?? RevenueCursor(customerIndex: 0, nextPage: nil, accumulators: nil)
        if state.accumulators?.count != fresh.count {
            // No saved sums, or sums for other metrics (one was deleted meanwhile): the customer's walk
            // starts again from its first page, or the pages already summed would be lost.
            state.accumulators = nil
            state.nextPage = nil
        }
        let lease = job.lease
        let metricIDs = metrics.map(\.id)
        while state.customerIndex < args.customerIDs.count {
            let customerID = args.customerIDs[state.customerIndex]
            var accumulators = state.accumulators ?? fresh
            var pageStarted = ContinuousClock.now
            for try await page in client.invoiceBreakdowns(customerID: customerID, query, resumingFrom: state.nextPage) {
                defer {
                    PageCommitter.recordPageDuration(since: pageStarted)
                    pageStarted = .now
                }
                for breakdown in page.items where breakdown.invoice.customerID == customerID {
                    for index in accumulators.indices { try accumulators[index].add(breakdown, window: args.window) }
                }
                let isLastPage = page.isLast
                let next =
                    isLastPage
                    ? RevenueCursor(customerIndex: state.customerIndex + 1, nextPage: nil, accumulators: nil)
                    : RevenueCursor(customerIndex: state.customerIndex, nextPage: page.nextCursor, accumulators: accumulators)
                let cursorJSON = try JSONEncoder.sorted.encodeToString(next)
                let amounts = accumulators.map { $0.dailyAmounts(creditTypeName: creditTypeName) }
                let finished = isLastPage && next.customerIndex == args.customerIDs.count
                let now = clock.now
                try await pages.commit { db in
                    if isLastPage {
                        // The customer's walk is complete: its days in the window become exactly these sums.
                        for (metricID, daily) in zip(metricIDs, amounts) {
                            try MetricValueWriter.replace(
                                metricID: metricID, customerID: customerID, window: args.window, amounts: daily, on: db)
                        }
                    }
                    if finished {
                        try MetricValueWriter.recordCoverage(args, now: now, on: db)
                        try JobQueue.complete(lease, on: db)
                    } else {
                        try JobQueue.checkpoint(lease, cursorJSON: cursorJSON, on: db)
                    }
                }
                state = next
                if finished { return }
            }
        }
        // No customers left (an empty batch, or a crash right after the last customer's commit).
        let now = clock.now
        try await pages.commit { db in
            try MetricValueWriter.recordCoverage(args, now: now, on: db)
            try JobQueue.complete(lease, on: db)
        }
    }
}
