import Foundation
public import Metronome
public import Postgres

/// The only writer of `metric_values`. Every write replaces a precise slice — these customers, these
/// days — with what Metronome reported, so re-running any page or job leaves the same table.
enum MetricValueWriter {
    /// Upserts non-null values and deletes the rows of days reported as null (no events). Unchanged
    /// rows are not rewritten.
    static func apply(
        metricID: Int64, rows: [(customerID: String, day: UTCDay, amount: Decimal?)], on db: isolated PostgresConnection
    ) throws {
        guard !rows.isEmpty else { return }
        try db.query(
            """
            WITH input AS (
                SELECT * FROM unnest($2::text[], $3::date[], $4::numeric[]) AS t(customer_id, day, amount)
            ), removed AS (
                DELETE FROM metric_values v USING input i
                WHERE v.metric_id = $1 AND v.customer_id = i.customer_id AND v.day = i.day AND i.amount IS NULL
            )
            INSERT INTO metric_values (metric_id, day, customer_id, amount)
            SELECT DISTINCT ON (day, customer_id) $1, day, customer_id, amount FROM input WHERE amount IS NOT NULL
            ORDER BY day, customer_id
            ON CONFLICT (metric_id, day, customer_id) DO UPDATE SET amount = EXCLUDED.amount, imported_at = now()
            WHERE metric_values.amount IS DISTINCT FROM EXCLUDED.amount
            """,
            [metricID, rows.map(\.customerID), rows.map(\.day.description), rows.map(\.amount)])
    }

    /// Replaces one customer's days in `window` with `amounts`: days missing from `amounts` are deleted.
    static func replace(
        metricID: Int64, customerID: String, window: DayRange, amounts: [(day: UTCDay, amount: Decimal)],
        on db: isolated PostgresConnection
    ) throws {
        try db.query(
            """
            DELETE FROM metric_values WHERE metric_id = $1 AND customer_id = $2 AND day >= $3::date AND day < $4::date
              AND NOT (day = ANY($5::date[]))
            """,
            [metricID, customerID, window.start.description, window.end.description, amounts.map(\.day.description)])
        try apply(metricID: metricID, rows: amounts.map { (customerID, $0.day, $0.amount) }, on: db)
    }

    /// Deletes the window's rows of `customers` that Metronome no longer reported at all.
    static func removeUnreported(
        metricID: Int64, window: DayRange, customers: [String], reported: Set<String>, on db: isolated PostgresConnection
    ) throws {
        let gone = customers.filter { !reported.contains($0) }
        guard !gone.isEmpty else { return }
        try db.query(
            "DELETE FROM metric_values WHERE metric_id = $1 AND day >= $2::date AND day < $3::date AND customer_id = ANY($4::text[])",
            [metricID, window.start.description, window.end.description, gone])
    }

    /// Records that the job's window is imported for its customers.
    static func recordCoverage(_ args: ImportJobArgs, on db: isolated PostgresConnection) throws {
        for metricID in args.metricIDs {
            try recordCoverage(args, metricID: metricID, on: db)
        }
    }

    private static func recordCoverage(_ args: ImportJobArgs, metricID: Int64, on db: isolated PostgresConnection) throws {
        try db.query(
            """
            INSERT INTO import_coverage (metric_id, window_start, window_end, batch_key, customer_ids)
            VALUES ($1, $2::date, $3::date, $4, $5)
            ON CONFLICT (metric_id, window_start, batch_key) DO UPDATE SET window_end = EXCLUDED.window_end,
                customer_ids = EXCLUDED.customer_ids, imported_at = now()
            """,
            [metricID, args.window.start.description, args.window.end.description, "\(args.batch)@\(args.window.end)", args.customerIDs])
    }
}
