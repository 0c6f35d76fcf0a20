/// Every statement of ``MetricStore``, kept together (as `JobQueueSQL` is for the queue). The read models
/// they select from (`metric_values_labeled`, `metric_complete_through`) are views in `sql/migrations`.
enum MetricStoreSQL {
    /// The columns ``MetricStore`` decodes a ``BusinessMetric`` from, in order (`m` is `business_metrics`).
    static let columns = """
        m.id, m.title, m.connection_id, m.kind, m.billable_metric_id, m.credit_type_id, m.credit_type_name, m.revenue_basis,
        m.label_source, m.since::text AS since, m.created_at
        """

    static let all = "SELECT \(columns) FROM business_metrics m ORDER BY m.title"

    /// Active metrics of active connections: what the planner plans.
    static let active = """
        SELECT \(columns)
        FROM business_metrics m JOIN connections c ON c.id = m.connection_id
        WHERE m.status = 'active' AND c.status = 'active' ORDER BY m.id
        """

    static let byID = "SELECT \(columns) FROM business_metrics m WHERE m.id = $1"

    static let byTitle = "SELECT \(columns) FROM business_metrics m WHERE m.title = $1"

    /// A billable metric by id or exact name, current ones first.
    static let billableMetricsByReference = """
        SELECT id FROM billable_metrics WHERE connection_id = $1 AND (id = $2 OR name = $2) ORDER BY archived_at NULLS FIRST
        """

    static let creditTypeByID = "SELECT id, name FROM credit_types WHERE connection_id = $1 AND id = $2"

    /// The currency credit types named `$2` (a code); for USD also Metronome's "USD (cents)", id `$3`, first.
    static let currencyCreditTypes = """
        SELECT id, name FROM credit_types WHERE connection_id = $1 AND is_currency
          AND (upper(name) = $2 OR ($2 = 'USD' AND (id = $3 OR upper(name) = 'USD (CENTS)')))
        ORDER BY (id = $3) DESC, name
        """

    static let insert = """
        INSERT INTO business_metrics AS m (title, connection_id, kind, billable_metric_id, credit_type_id, credit_type_name,
            revenue_basis, label_source, since)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date) RETURNING \(columns)
        """

    static let setLabelSource = "UPDATE business_metrics SET label_source = $2 WHERE id = $1"

    static let deleteValues = "DELETE FROM metric_values WHERE metric_id = $1"

    static let delete = "DELETE FROM business_metrics WHERE id = $1"

    /// Kept by the triggers of `metric_values` (migrations 0012, 0013) in shards per writer, so no read
    /// counts the values themselves: a metric's count is the sum of its shards.
    static let valueCount = "SELECT coalesce(sum(value_count), 0)::bigint FROM metric_value_counts WHERE metric_id = $1"

    static let valueCounts = """
        SELECT metric_id, sum(value_count)::bigint FROM metric_value_counts GROUP BY metric_id HAVING sum(value_count) > 0
        """

    /// A connection's billable metrics that are not archived, for "did you mean".
    static let billableMetricNames = "SELECT name FROM billable_metrics WHERE connection_id = $1 AND archived_at IS NULL"

    static let completeThroughAll = "SELECT metric_id, complete_through::text FROM metric_complete_through"

    /// Every metric's coverage windows per customer batch of its connection (a batch without any: one row
    /// with NULL days).
    static let coverageByBatch = """
        SELECT DISTINCT m.id, c.import_batch, cov.window_start::text, cov.window_end::text
        FROM business_metrics m
        JOIN customers c ON c.connection_id = m.connection_id
        LEFT JOIN import_coverage cov ON cov.metric_id = m.id AND c.id = ANY(cov.customer_ids)
        """

    /// Labeled values of metric `$1`, optionally from `$2` through `$3` and of label `$4`.
    static let values = """
        SELECT day::text, label, customer_id, amount::text FROM metric_values_labeled
        WHERE metric_id = $1 AND ($2::date IS NULL OR day >= $2::date) AND ($3::date IS NULL OR day <= $3::date)
          AND ($4::text IS NULL OR label = $4)
        ORDER BY day, label, customer_id
        """

    /// One metric's "complete through" day as text, or NULL (view `metric_complete_through`).
    static let completeThrough = "SELECT complete_through::text FROM metric_complete_through WHERE metric_id = $1"

    /// What each metric imports: its billable metric's name, or its credit type and revenue basis.
    static let sourceDescriptions = """
        SELECT m.title, coalesce(b.name, m.billable_metric_id, m.credit_type_name || ' ' || replace(m.revenue_basis, '_', '-'))
        FROM business_metrics m
        LEFT JOIN billable_metrics b ON b.connection_id = m.connection_id AND b.id = m.billable_metric_id
        """
}
