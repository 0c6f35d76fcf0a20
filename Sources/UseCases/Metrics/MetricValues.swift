public import Importer
public import Metronome
public import Postgres

/// A metric's imported daily values, by day and label: what `meterbridge metric values`, the console's
/// metric page (and its CSV) and MCP's `metric_values` show, read the one way.
public struct MetricValues: Sendable {
    public let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    /// The values of the metric titled `title` (see ``of(_:from:to:label:)``); a reversed period, then an
    /// unknown title (with the nearest ones), is refused.
    public func of(titled title: String, from: UTCDay?, to: UTCDay?, label: String? = nil) async throws
        -> (metric: BusinessMetric, values: [MetricStore.LabeledValue])
    {
        try UseCaseError.requireOrdered(from: from, to: to)
        let metric = try await Catalog(pool: pool).metric(titled: title)
        return (metric, try await of(metric, from: from, to: to, label: label))
    }

    /// The metric's values from `from` through `to` (both inclusive; nil leaves that end open), only
    /// those labeled `label` when given, by day and label. A reversed period is refused.
    public func of(_ metric: BusinessMetric, from: UTCDay?, to: UTCDay?, label: String? = nil) async throws
        -> [MetricStore.LabeledValue]
    {
        try UseCaseError.requireOrdered(from: from, to: to)
        return try await MetricStore(pool: pool).values(metric, from: from, to: to, label: label)
    }

    /// The last `days` days through `today`, both inclusive (`--last 7d`).
    public static func lastDays(_ days: Int, through today: UTCDay) -> (from: UTCDay, to: UTCDay) {
        (today.adding(days: -(days - 1)), today)
    }
}
