public import Postgres

/// A business metric as `meterbridge metric list` and `metric show` print it, the console's metrics page
/// shows it and the MCP server's `list_metrics` returns it: what it imports, how it labels customers,
/// and how far it is imported.
public struct MetricStatus: Sendable, Equatable {
    public var title: String
    public var kind: String
    /// The billable metric's name (usage) or the credit type and basis (revenue).
    public var source: String
    public var labelSource: LabelSource
    public var since: String
    public var status: ImportStatus.State
    public var completeThrough: String?
    public var rows: Int
    public var failedJobs: Int

    /// Every metric's row.
    public static func all(pool: PostgresConnectionPool) async throws -> [MetricStatus] {
        let status = try await ImportStatus.load(pool: pool, plans: false)
        let store = MetricStore(pool: pool)
        let metrics = try await store.all()
        let sourceByTitle = try await store.sourceDescriptions()
        let byTitle = Dictionary(uniqueKeysWithValues: metrics.map { ($0.title, $0) })
        return status.metrics.compactMap { entry in
            guard let metric = byTitle[entry.title] else { return nil }
            return MetricStatus(
                title: entry.title, kind: entry.kind, source: sourceByTitle[entry.title] ?? "",
                labelSource: metric.labelSource,
                since: metric.since.description, status: entry.state, completeThrough: entry.completeThrough, rows: entry.rows,
                failedJobs: entry.jobs["discarded"] ?? 0)
        }
    }
}
