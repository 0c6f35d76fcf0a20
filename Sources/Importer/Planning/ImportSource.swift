/// A kind of data MeterBridge imports from Metronome, as the planner sees it: the job that imports a
/// window of it, what that window costs in requests, how long the planner cuts its windows, and which
/// metrics read the same pages (and so share one job). Usage and revenue are the two today; another data
/// source is one more conformance, its job kind and its handler.
public protocol ImportSource: Sendable {
    /// The job that imports a window.
    var jobKind: ImportJobKind { get }
    /// Days of one customer that one request returns (``PageCost``).
    var daysPerPage: Int { get }
    /// Metrics with the same key read the same pages: one job serves them all.
    var sharingKey: String { get }
    /// The credit type a job's args carry (revenue), or nil.
    var creditTypeID: String? { get }
    /// The length of the planner's windows for this source.
    func windowDays(_ options: ImportPlanner.Options) -> Int
}

extension ImportSource {
    /// Requests for `days` of this source for `customers` customers, from the paging rules.
    public func requests(days: Int, customers: Int) -> Int { customers * PageCost.pages(days, per: daysPerPage) }
}

/// A billable metric's daily usage (`POST /v1/usage`): one job per metric, window and batch.
public struct UsageSource: ImportSource {
    public var metricID: Int64
    public init(metricID: Int64) { self.metricID = metricID }
    public var jobKind: ImportJobKind { .usage }
    public var daysPerPage: Int { PageCost.usageDaysPerPage }
    public var sharingKey: String { "usage:\(metricID)" }
    public var creditTypeID: String? { nil }
    public func windowDays(_ options: ImportPlanner.Options) -> Int { options.usageWindowDays }
}

/// Daily invoice revenue of one credit type (invoice breakdowns): every revenue metric of the credit
/// type reads the same pages, whatever its basis, so they share one job.
public struct RevenueSource: ImportSource {
    public var creditType: String
    public init(creditType: String) { self.creditType = creditType }
    public var jobKind: ImportJobKind { .revenue }
    public var daysPerPage: Int { PageCost.revenueDaysPerPage }
    public var sharingKey: String { "revenue:\(creditType)" }
    public var creditTypeID: String? { creditType }
    public func windowDays(_ options: ImportPlanner.Options) -> Int { options.revenueWindowDays }
}

extension BusinessMetric {
    /// What the planner imports for this metric.
    public var importSource: any ImportSource {
        switch source {
        case .usage: UsageSource(metricID: id)
        case .revenue(let revenue): RevenueSource(creditType: revenue.creditTypeID)
        }
    }
}
