/// Job kinds and their arguments. Arguments name everything the job touches (connection, metric,
/// window, the exact customers), so a job means the same thing whenever it runs.
public enum ImportJobKind: String, Sendable, CaseIterable {
    case catalog = "catalog_sync"
    case usage = "import_usage"
    case revenue = "import_revenue"
}

/// Queues: the daily sync (the trailing lookback, high priority) and the history backfill.
public enum ImportQueue {
    public static let sync = "sync"
    public static let backfill = "backfill"
    public static let all = [sync, backfill]
}

public struct CatalogJobArgs: Codable, Sendable, Equatable {
    public var connectionID: Int64
    enum CodingKeys: String, CodingKey { case connectionID = "connection_id" }
    public init(connectionID: Int64) { self.connectionID = connectionID }
}

/// One import: a window of days for a batch of customers. A usage job serves one metric; a revenue job
/// serves every revenue metric of the same credit type and window at once (their bases differ, the
/// invoice pages they read are the same), so no breakdown page is fetched twice.
public struct ImportJobArgs: Codable, Sendable, Equatable {
    public var connectionID: Int64
    public var metricIDs: [Int64]
    /// Revenue jobs: the credit type all their metrics share.
    public var creditTypeID: String?
    public var window: DayRange
    public var batch: Int
    public var customerIDs: [String]
    /// Set when the window refreshes the batch's recent days: the worker then records the refresh, and
    /// the planner knows when the next one is due.
    public var refresh: WindowPlanner.Role?

    public init(
        connectionID: Int64, metricIDs: [Int64], creditTypeID: String? = nil, window: DayRange, batch: Int,
        customerIDs: [String], refresh: WindowPlanner.Role? = nil
    ) {
        self.refresh = refresh
        self.connectionID = connectionID
        self.metricIDs = metricIDs
        self.creditTypeID = creditTypeID
        self.window = window
        self.batch = batch
        self.customerIDs = customerIDs
    }

    enum CodingKeys: String, CodingKey {
        case connectionID = "connection_id"
        case metricIDs = "metric_ids"
        case creditTypeID = "credit_type_id"
        case window, batch
        case customerIDs = "customer_ids"
        case refresh
    }

    /// Args JSON that every job of the connection contains (catalog jobs too), for ``JobQueue/Filter``.
    public static func selecting(connectionID: Int64) -> String { #"{"connection_id": \#(connectionID)}"# }

    /// The args' key of the metric ids, for the queue's per-element counts.
    public static let metricIDsKey = "metric_ids"

    /// The args' key of the connection id (in every job of a connection, catalog jobs too).
    public static let connectionIDKey = "connection_id"

    /// Args JSON that every import job of the metric contains, for ``JobQueue/Filter``.
    public static func selecting(metricID: Int64) -> String { #"{"metric_ids": [\#(metricID)]}"# }

    /// One unfinished job per source, window and batch: re-planning the same work is a no-op.
    public var uniqueKey: String {
        let source = creditTypeID.map { "revenue:\(connectionID):\($0)" } ?? "usage:\(metricIDs.map(String.init).joined(separator: ","))"
        return "\(source):\(window.start):\(window.end):\(batch)"
    }
}

/// Where an interrupted usage import resumes: the next page, and the customers already reported.
struct UsageCursor: Codable, Sendable {
    var nextPage: String?
    var seen: [String]
}

/// Where an interrupted revenue import resumes: which customer, its next page, and that customer's
/// sums so far (a customer's days are written only once its whole walk is done).
struct RevenueCursor: Codable, Sendable {
    var customerIndex: Int
    var nextPage: String?
    /// One per metric of the job, in `metric_ids` order; nil at the start of a customer.
    var accumulators: [RevenueAccumulator]?
}
