public import Postgres

/// A business metric as `meterbridge metric list` and `metric show` print it (and the MCP server's
/// `list_metrics` returns it): what it imports, how it labels customers, and how far it is imported.
public struct MetricStatus: Sendable, Equatable {
    public var title: String
    public var kind: String
    /// The billable metric's name (usage) or the credit type and basis (revenue).
    public var source: String
    public var labelSource: String
    public var since: String
    public var status: String
    public var completeThrough: String?
    public var rows: Int
    public var failedJobs: Int

    public static func all(pool: PostgresConnectionPool) async throws -> [MetricStatus] {
        let status = try await ImportStatus.load(pool: pool)
        let metrics = try await MetricStore(pool: pool).all()
        let sources = try await pool.query(
            """
            SELECT m.title, coalesce(b.name, m.billable_metric_id, m.credit_type_name || ' ' || replace(m.revenue_basis, '_', '-'))
            FROM business_metrics m
            LEFT JOIN billable_metrics b ON b.connection_id = m.connection_id AND b.id = m.billable_metric_id
            """)
        var sourceByTitle: [String: String] = [:]
        for row in sources { sourceByTitle[try row.decode(at: 0)] = try row.decode(at: 1) }
        let byTitle = Dictionary(uniqueKeysWithValues: metrics.map { ($0.title, $0) })
        return status.metrics.compactMap { entry in
            guard let metric = byTitle[entry.title] else { return nil }
            return MetricStatus(
                title: entry.title, kind: entry.kind, source: sourceByTitle[entry.title] ?? "",
                labelSource: metric.labelSource.rawValue.replacingOccurrences(of: "_", with: "-"),
                since: metric.since.description, status: entry.state, completeThrough: entry.completeThrough,
                rows: entry.rows,
                failedJobs: entry.jobs["discarded"] ?? 0)
        }
    }
}
