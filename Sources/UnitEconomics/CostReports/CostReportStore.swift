public import Foundation
public import Postgres
import TextOutput

/// A saved, named filter over cost rows, e.g. "COGS" = production compute, storage and network.
public struct CostReport: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var filters: [CostReportFilter]
    /// The tag whose value names the Metronome customer a cost belongs to; untagged cost is shared.
    public var customerTag: String?
    public var createdAt: Date
}

/// Creates, reads and deletes cost reports.
public struct CostReportStore: Sendable {
    let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    public func create(name: String, filters: [CostReportFilter], customerTag: String?) async throws -> CostReport {
        guard !name.isEmpty else { throw CostReportError("the cost report name is empty") }
        if let customerTag, customerTag.isEmpty { throw CostReportError("the customer tag is empty") }
        do {
            let row = try await pool.query(
                """
                INSERT INTO cost_reports (name, filters, customer_tag) VALUES ($1, $2::jsonb, $3)
                RETURNING id, name, filters::text, customer_tag, created_at
                """, [name, PostgresJSON(filters), customerTag]
            ).single()
            return try Self.report(row)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw CostReportError("a cost report named \(name) already exists")
        }
    }

    /// Replaces a cost report's conditions and customer tag (the cost rows stay as they are).
    public func update(name: String, filters: [CostReportFilter], customerTag: String?) async throws -> CostReport {
        if let customerTag, customerTag.isEmpty { throw CostReportError("the customer tag is empty") }
        _ = try await named(name)
        let row = try await pool.query(
            """
            UPDATE cost_reports SET filters = $2::jsonb, customer_tag = $3 WHERE name = $1
            RETURNING id, name, filters::text, customer_tag, created_at
            """, [name, PostgresJSON(filters), customerTag]
        ).single()
        return try Self.report(row)
    }

    public func list() async throws -> [CostReport] {
        try await pool.query("SELECT id, name, filters::text, customer_tag, created_at FROM cost_reports ORDER BY name")
            .map(Self.report)
    }

    public func named(_ name: String) async throws -> CostReport {
        let rows = try await pool.query(
            "SELECT id, name, filters::text, customer_tag, created_at FROM cost_reports WHERE name = $1", [name])
        guard let row = rows.first else {
            let names = try await pool.query("SELECT name FROM cost_reports").map { try $0.decode(String.self, at: 0) }
            throw CostReportError("no cost report named \(name)" + NearestNames.didYouMean(NearestNames.to(name, among: names)))
        }
        return try Self.report(row)
    }

    /// Deletes a cost report (the cost rows stay); false when there was none.
    public func delete(name: String) async throws -> Bool {
        try await pool.query("DELETE FROM cost_reports WHERE name = $1", [name]).affectedRows > 0
    }

    static func report(_ row: PostgresRow) throws -> CostReport {
        CostReport(
            id: try row.decode(at: 0), name: try row.decode(at: 1),
            filters: try row.decode(PostgresJSON<[CostReportFilter]>.self, at: 2).value,
            customerTag: try row.decode(at: 3), createdAt: try row.decode(at: 4))
    }
}
