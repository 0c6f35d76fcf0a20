public import Metronome
public import Foundation
public import Postgres

/// One source and currency in `costs list`.
public struct CostSourceSummary: Sendable, Equatable {
    public var source: String
    public var currency: String
    public var periodStart: UTCDay
    public var periodEnd: UTCDay
    /// FOCUS rows (not daily shares) that contribute to the totals.
    public var rows: Int
    public var effectiveCost: Decimal
    public var billedCost: Decimal
}

/// Lists and deletes imported cost.
public struct CostStore: Sendable {
    let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    /// Per source and currency: the period covered, the rows and the total effective and billed cost.
    public func list() async throws -> [CostSourceSummary] {
        try await pool.query(CostSQL.list).map { row in
            CostSourceSummary(
                source: try row.decode(column: "source"), currency: try row.decode(column: "currency"),
                periodStart: try row.decodeDay(column: "period_start"), periodEnd: try row.decodeDay(column: "period_end"),
                rows: try row.decode(column: "rows"), effectiveCost: try row.decode(column: "effective_cost"),
                billedCost: try row.decode(column: "billed_cost"))
        }
    }

    /// Daily rows stored for `source`, or nil when there is no such source.
    public func dailyRowCount(source: String) async throws -> Int? {
        guard try await !pool.query(CostSQL.sourceExists, [source]).isEmpty else { return nil }
        return try await pool.query(CostSQL.countSource, [source]).single().decode(at: 0)
    }

    /// Deletes a source with all its rows and import records; false when there was none.
    public func delete(source: String) async throws -> Bool {
        try await pool.query(CostSQL.deleteSource, [source]).affectedRows > 0
    }
}
