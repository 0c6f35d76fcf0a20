public import Foundation
public import Metronome
public import Postgres

/// What other modules read about business metrics and their values: the importer owns these tables,
/// and the analyses (`UnitEconomics`) read them only through here.
public struct MetricReadModel: Sendable {
    public let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    /// A metric with what reports need from the catalog beside it.
    public struct Metric: Sendable, Equatable {
        public var id: Int64
        public var title: String
        public var kind: BusinessMetric.Kind
        public var connectionID: Int64
        public var labelSource: LabelSource
        public var since: UTCDay
        /// For usage: the billable metric's aggregation (COUNT, SUM, MAX, UNIQUE, LATEST).
        public var aggregationType: AggregationType?
        /// For revenue: the credit type's name ("USD (cents)", "EUR", …) and whether it is a currency.
        public var creditTypeName: String?
        public var creditTypeIsCurrency: Bool
    }

    /// One stored value.
    public struct Value: Sendable, Equatable {
        public var day: UTCDay
        public var customerID: String
        public var amount: Decimal
    }

    /// The metric titled `title`, if any. A kind this binary does not know is an error, never read as another.
    public func metric(titled title: String) async throws -> Metric? {
        guard
            let row = try await pool.query(
                """
                SELECT m.id, m.title, m.kind, m.connection_id, m.label_source, m.since::text AS since,
                    upper(b.aggregation_type) AS aggregation_type, m.credit_type_name,
                    coalesce(ct.is_currency, true) AS credit_type_is_currency
                FROM business_metrics m
                LEFT JOIN billable_metrics b ON b.connection_id = m.connection_id AND b.id = m.billable_metric_id
                LEFT JOIN credit_types ct ON ct.connection_id = m.connection_id AND ct.id = m.credit_type_id
                WHERE m.title = $1
                """, [title]
            ).first
        else { return nil }
        return Metric(
            id: try row.decode(column: "id"), title: try row.decode(column: "title"), kind: try row.decode(column: "kind"),
            connectionID: try row.decode(column: "connection_id"), labelSource: try row.decode(column: "label_source"),
            since: try row.decodeDay(column: "since"),
            aggregationType: try row.decode(String?.self, column: "aggregation_type").map(AggregationType.init(rawValue:)),
            creditTypeName: try row.decode(column: "credit_type_name"),
            creditTypeIsCurrency: try row.decode(column: "credit_type_is_currency"))
    }

    /// The metric's values from `first` through `last` (inclusive).
    /// The titles of usage metrics whose billable metric is a gauge (MAX, UNIQUE, LATEST): reports that
    /// sum usage refuse them, so forms do not offer them.
    public func gaugeTitles() async throws -> Set<String> {
        var titles: Set<String> = []
        for row in try await pool.query(
            """
            SELECT m.title, upper(b.aggregation_type) FROM business_metrics m
            JOIN billable_metrics b ON b.connection_id = m.connection_id AND b.id = m.billable_metric_id
            """)
        where try row.decode(String?.self, at: 1).map(AggregationType.init(rawValue:))?.isGauge == true {
            titles.insert(try row.decode(String.self, at: 0))
        }
        return titles
    }

    /// Every metric's title, for "did you mean" when a title is not found.
    public func titles() async throws -> [String] {
        try await pool.query("SELECT title FROM business_metrics ORDER BY title").map { try $0.decode(String.self, at: 0) }
    }

    public func values(metricID: Int64, from first: UTCDay, through last: UTCDay) async throws -> [Value] {
        try await pool.query(
            """
            SELECT day::text, customer_id, amount::text FROM metric_values
            WHERE metric_id = $1 AND day BETWEEN $2::date AND $3::date
            """, [metricID, first.description, last.description]
        ).map { row in Value(day: try row.decodeDay(at: 0), customerID: try row.decode(at: 1), amount: try row.decode(Decimal.self, at: 2)) }
    }

    /// Display labels of a connection's customers under `labelSource`, by customer id.
    public func labels(connectionID: Int64, labelSource: LabelSource) async throws -> [String: String] {
        var labels: [String: String] = [:]
        for row in try await pool.query(
            "SELECT customer_id, label FROM customer_labels WHERE connection_id = $1 AND label_source = $2",
            [connectionID, labelSource.rawValue])
        {
            labels[try row.decode(at: 0)] = try row.decode(String.self, at: 1)
        }
        return labels
    }

    /// The last day through which every customer batch of the metric is imported without a gap from its
    /// `since` (view `metric_complete_through`, which `meterbridge status` reads too, so the two agree).
    public func completeThrough(metricID: Int64) async throws -> UTCDay? {
        guard let row = try await pool.query(
            "SELECT complete_through::text FROM metric_complete_through WHERE metric_id = $1", [metricID]
        ).first, try row.decode(String?.self, at: 0) != nil
        else { return nil }
        return try row.decodeDay(at: 0)
    }
}
