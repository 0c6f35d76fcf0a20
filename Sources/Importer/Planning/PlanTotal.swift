import Foundation

/// Every connection's plan together: the fleet's view. Connections import side by side, each at its own
/// budget, so the whole backfill ends when the slowest connection's does.
public struct PlanTotal: Sendable, Codable, Equatable {
    public var connections: Int
    /// The summed budgets, requests/s.
    public var requestsPerSecond: Double
    /// Requests every connection's history still needs.
    public var backfillRequests: Int
    /// When the last connection's backfill is done (nil: some connection has no budget left for it).
    public var backfillSeconds: Double?
    public var syncRequestsPerDay: Double
    /// The recurring requests' share of the summed daily budgets, 0…1.
    public var syncBudgetShare: Double

    public init(_ projections: [ImportPlanner.Projection]) {
        connections = projections.count
        requestsPerSecond = projections.reduce(0) { $0 + $1.requestsPerSecond }
        backfillRequests = projections.reduce(0) { $0 + $1.backfillRequests }
        let seconds = projections.map(\.backfillSeconds)
        backfillSeconds = seconds.contains { $0 == nil } ? nil : seconds.compactMap { $0 }.max() ?? 0
        syncRequestsPerDay = projections.reduce(0) { $0 + $1.syncRequestsPerDay }
        syncBudgetShare = requestsPerSecond > 0 ? syncRequestsPerDay / (requestsPerSecond * 86_400) : 0
    }
}
