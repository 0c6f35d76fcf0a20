import Foundation
import JobQueue
import Metrics
import Metronome
import Postgres

/// The only writer of `metric_values`. Every write replaces a precise slice — these customers, these
/// days — with what Metronome reported, so re-running any page or job leaves the same table.
enum MetricValueWriter {
    /// An amount that is not a number (an overflowed Decimal): refused, never stored.
    struct NotANumber: Error, CustomStringConvertible {
        var customerID: String
        var day: UTCDay
        var description: String { "the amount of customer \(customerID) on \(day) is not a number; nothing was stored" }
    }

    typealias Row = (customerID: String, day: UTCDay, amount: Decimal?)

    /// Upserts non-null values and deletes the rows of days reported as null (no events). Unchanged
    /// rows are not rewritten.
    ///
    /// Most writes are of days never imported (a history import): when the rows are one customer's and
    /// it holds no value in the rows' day range, the values are inserted plainly, in the statement that
    /// found the range empty, without the per-row conflict checks and deletes of an upsert (half of
    /// Postgres's work for such a page). Otherwise the upsert runs. A concurrent writer of the same days
    /// can make the plain insert fail with a unique violation; the page commit is then tried again and
    /// takes the upsert.
    static func apply(metricID: Int64, rows: [Row], on db: isolated PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        try refuseNotANumber(rows)
        if let fresh = FreshInsert(metricID: metricID, rows: rows), try fresh.run(on: db) != .present { return }
        try upsert(metricID: metricID, rows: rows, on: db)
    }

    /// What a page commit in one statement did.
    enum OneStatementCommit: Equatable {
        /// The values and the checkpoint are written.
        case committed
        /// Nothing is written: the customer already holds values in the page's days (or the page is of
        /// several customers), so the page is committed with ``apply(metricID:rows:on:)`` and the
        /// checkpoint in a transaction instead.
        case needsUpsert
    }

    /// Writes a page of new days and the job's checkpoint in one statement, outside a transaction: the
    /// common page of a history import, whose commit then takes one round trip instead of four. Throws
    /// ``JobQueueError/leaseLost(jobID:)``, having written nothing, when the lease is gone.
    static func insertWithCheckpoint(
        metricID: Int64, rows: [Row], lease: JobLease, cursorJSON: String, on db: isolated PostgresConnection
    ) throws -> OneStatementCommit {
        guard !rows.isEmpty else {
            try JobQueue.checkpoint(lease, cursorJSON: cursorJSON, on: db)
            return .committed
        }
        try refuseNotANumber(rows)
        guard let fresh = FreshInsert(metricID: metricID, rows: rows) else { return .needsUpsert }
        switch try fresh.run(checkpoint: (lease, cursorJSON), on: db) {
        case .present: return .needsUpsert
        case .leaseLost: throw JobQueueError.leaseLost(jobID: lease.jobID)
        case .inserted: return .committed
        }
    }

    private static func refuseNotANumber(_ rows: [Row]) throws {
        if let bad = rows.first(where: { $0.amount?.isNaN == true }) {
            throw NotANumber(customerID: bad.customerID, day: bad.day)
        }
    }

    /// The plain insert of one customer's days it holds no value in, optionally with the job's checkpoint.
    private struct FreshInsert {
        var metricID: Int64
        var customerID: String
        var firstDay: UTCDay
        var lastDay: UTCDay
        /// Days without events delete nothing in an empty range: only the values travel.
        var values: [(day: String, amount: Decimal)]

        enum Outcome: Equatable {
            case inserted(Int)
            /// The customer holds values in the range: nothing was written.
            case present
            /// The checkpoint's lease is gone: nothing was written.
            case leaseLost
        }

        /// Nil when the rows are of several customers.
        init?(metricID: Int64, rows: [Row]) {
            let customer = rows[0].customerID
            guard rows.allSatisfy({ $0.customerID == customer }) else { return nil }
            self.metricID = metricID
            customerID = customer
            (firstDay, lastDay) = rows.dropFirst().reduce((rows[0].day, rows[0].day)) { (min($0.0, $1.day), max($0.1, $1.day)) }
            values = rows.compactMap { row in row.amount.map { (row.day.description, $0) } }
        }

        func run(checkpoint: (lease: JobLease, cursorJSON: String)? = nil, on db: isolated PostgresConnection) throws -> Outcome {
            var binds: [(any PostgresEncodable)?] = [
                metricID, values.map(\.day), values.map(\.amount), firstDay.description, customerID, lastDay.description,
            ]
            if let checkpoint { binds += JobQueue.checkpointBinds(checkpoint.lease, cursorJSON: checkpoint.cursorJSON) }
            let sql = checkpoint == nil ? Self.plainSQL : Self.checkpointingSQL
            let row = try db.query(sql, binds).single()
            if try row.decode(Bool.self, at: 0) { return .present }
            guard try row.decode(Bool.self, at: 1) else { return .leaseLost }
            let inserted = try row.decode(Int.self, at: 2)
            Counter(label: "meterbridge_rows_upserted_total").increment(by: inserted)
            return .inserted(inserted)
        }

        static let plainSQL = sql(checkpointing: false)
        static let checkpointingSQL = sql(checkpointing: true)

        /// The insert, probing first that the customer holds no value in the range; with `checkpointing`,
        /// the job's checkpoint too (its parameters after the six of the insert), and the insert depends on it.
        static func sql(checkpointing: Bool) -> String {
            // A page is one customer's days; the probe reads that customer's range of the (metric, customer,
            // day) index, and its ORDER BY … LIMIT 1 keeps the planner on that index however stale its
            // statistics of a fast-growing table are.
            var sql = """
                WITH input AS (
                    SELECT $5::text AS customer_id, day, amount FROM unnest($2::date[], $3::numeric[]) AS t(day, amount)
                ), present AS (
                    SELECT EXISTS (
                        SELECT 1 FROM metric_values v
                        WHERE v.metric_id = $1 AND v.customer_id = $5 AND v.day >= $4::date AND v.day <= $6::date
                        ORDER BY v.metric_id, v.customer_id, v.day LIMIT 1
                    ) AS found
                )
                """
            var written = "NOT (SELECT found FROM present)"
            if checkpointing {
                sql += ", checkpointed AS (\n\(JobQueue.checkpointStatementPart(firstParameter: 7, when: written))\n)"
                written = "EXISTS (SELECT 1 FROM checkpointed)"
            }
            return sql + """
                , inserted AS (
                    INSERT INTO metric_values (metric_id, day, customer_id, amount)
                    SELECT DISTINCT ON (day) $1, day, customer_id, amount FROM input
                    WHERE \(written)
                    ORDER BY day
                    RETURNING 1
                )
                SELECT (SELECT found FROM present), \(checkpointing ? "EXISTS (SELECT 1 FROM checkpointed)" : "true"),
                    (SELECT count(*) FROM inserted)
                """
        }
    }

    private static func upsert(metricID: Int64, rows: [Row], on db: isolated PostgresConnection) throws {
        let result = try db.query(
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
        Counter(label: "meterbridge_rows_upserted_total").increment(by: result.affectedRows)
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

    /// Records that the job's window is imported for its customers, and, for a sync or hot refresh,
    /// when the batch's recent days were last refreshed. `now` comes from the import clock.
    static func recordCoverage(_ args: ImportJobArgs, now: Date, on db: isolated PostgresConnection) throws {
        for metricID in args.metricIDs {
            try recordCoverage(args, metricID: metricID, now: now, on: db)
            if let scope = args.refresh {
                try db.query(
                    """
                    INSERT INTO import_refreshes (metric_id, import_batch, scope, refreshed_at) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (metric_id, import_batch, scope) DO UPDATE
                        SET refreshed_at = greatest(import_refreshes.refreshed_at, EXCLUDED.refreshed_at)
                    """, [metricID, args.batch, scope.rawValue, now])
            }
        }
    }

    /// Coverage is merged: the new window and every row of the same batch and customers that overlaps
    /// or touches it become one row, so a batch keeps a few ranges however many daily syncs it had.
    /// Merges of one batch are serialized by a transaction-scoped advisory lock.
    private static func recordCoverage(_ args: ImportJobArgs, metricID: Int64, now: Date, on db: isolated PostgresConnection)
        throws
    {
        try db.query("SELECT pg_advisory_xact_lock(hashtextextended('import_coverage:' || $1::text || ':' || $2::text, 0))", [
            metricID, args.batch,
        ])
        try db.query(
            """
            WITH merged AS (
                DELETE FROM import_coverage
                WHERE metric_id = $1 AND import_batch = $4::integer AND customer_ids = $5::text[]
                  AND window_start <= $3::date AND window_end >= $2::date
                RETURNING window_start, window_end
            ), span AS (
                SELECT least($2::date, min(window_start)) AS window_start, greatest($3::date, max(window_end)) AS window_end
                FROM merged
            )
            INSERT INTO import_coverage (metric_id, import_batch, window_start, window_end, customer_ids, imported_at)
            SELECT $1, $4::integer, window_start, window_end, $5::text[], $6 FROM span
            ON CONFLICT (metric_id, import_batch, window_start, window_end) DO UPDATE SET
                customer_ids = EXCLUDED.customer_ids, imported_at = EXCLUDED.imported_at
            """,
            [metricID, args.window.start.description, args.window.end.description, args.batch, args.customerIDs, now])
    }
}
