#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One day of one invoice: what a daily breakdown item carries.
public struct SandboxBreakdownWindow: Hashable, Sendable {
    public let day: CivilDay
    /// For hourly breakdowns the day's lines all fall in this hour; the other hours are empty.
    public let activeHour: Int
    public let lineItems: [SandboxLineItem]

    public var total: Decimal { lineItems.reduce(Decimal(0)) { $0 + $1.total } }
    public var subtotal: Decimal {
        lineItems.filter { !$0.isAppliedCommitOrCredit }.reduce(Decimal(0)) { $0 + $1.total }
    }
}
