#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A billable metric of the synthetic account.
public struct SandboxMetric: Hashable, Sendable {
    public let index: Int
    public let id: String
    public let name: String
    public let aggregation: MetricAggregation
    /// `aggregation_type` as served: upper case mostly, but some metrics use `count` or `Max`,
    /// which the OAS allows and a client must normalize.
    public let wireAggregationType: String
    public let aggregationKey: String?
    public let groupKeys: [[String]]
    public let archivedAt: Timestamp?
    /// Price per unit in cents for USD customers.
    public let usdCentsPrice: Decimal
    /// Price per unit in euros for EUR customers.
    public let euroPrice: Decimal
    /// A small customer's usage on a weekday, in the realistic account.
    let typicalDailyAmount: Double

    public var isArchived: Bool { archivedAt != nil }
}
