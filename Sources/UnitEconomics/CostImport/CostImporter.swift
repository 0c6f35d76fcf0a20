import Metronome
import Foundation
public import Logging
public import Postgres

/// The outcome of one `costs import`.
public struct CostImportSummary: Sendable, Equatable {
    public var source: String
    public var fileName: String
    public var statistics: FocusStreamStatistics
    /// Daily rows of earlier imports of the same source that this file's period replaced.
    public var replacedRows: Int
}

/// Imports FOCUS files into `cost_daily`.
///
/// One import is one transaction: the file is streamed into `COPY` (prorated per UTC day as it is read),
/// then the source's earlier rows for the days the file covers are deleted. A failure anywhere rolls
/// everything back, so a source is never half imported nor counted twice. Importing the same source
/// concurrently is serialized by a lock on its `cost_sources` row.
public struct CostImporter: Sendable {
    let pool: PostgresConnectionPool
    let logger: Logger

    public init(pool: PostgresConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Imports the FOCUS CSV (plain or gzip) at `path` as `source` (default: the file's name).
    public func importFile(at path: String, source: String? = nil, skipInvalid: Bool = false) async throws
        -> CostImportSummary
    {
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        let sourceName = source ?? fileName
        guard !sourceName.isEmpty else { throw CostImportUsageError(description: "the source name is empty") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw FocusImportError(.unreadable, line: 0, detail: "cannot read \(path): \(reason)")
        }
        let summary = try await pool.transaction { connection in
            try connection.useBulkStatementTimeout()  // one COPY of the whole file
            let sourceID: Int = try connection.query(CostSQL.upsertSource, [sourceName]).single().decode(at: 0)
            let importID: Int64 = try connection.query(CostSQL.insertImport, [sourceID, fileName]).single().decode(at: 0)
            let stream = try FocusCostStream(path: path, sourceID: sourceID, importID: importID, skipInvalid: skipInvalid)
            var statistics = FocusStreamStatistics()
            try connection.copyInEncoded(FocusCostStream.copyStatement) { send in
                statistics = try stream.run(send: send)
            }
            var replaced = 0
            if !statistics.coveredDays.ranges.isEmpty {
                let ranges = statistics.coveredDays.ranges
                replaced = try connection.query(
                    CostSQL.deleteReplaced,
                    [sourceID, importID, ranges.map { UTCDay(daysSinceEpoch: $0.lowerBound).description },
                        ranges.map { UTCDay(daysSinceEpoch: $0.upperBound).description }]
                ).affectedRows
            }
            try connection.query(
                CostSQL.finishImport,
                [importID, statistics.firstDay?.description, statistics.lastDay?.description, statistics.inputRows,
                    statistics.skippedRows, statistics.dailyRows, replaced])
            return CostImportSummary(
                source: sourceName, fileName: fileName, statistics: statistics, replacedRows: replaced)
        }
        logger.info(
            "imported FOCUS file",
            metadata: [
                "cost.source": "\(summary.source)", "cost.rows": "\(summary.statistics.inputRows)",
                "cost.skipped": "\(summary.statistics.skippedRows)", "cost.daily_rows": "\(summary.statistics.dailyRows)",
            ])
        return summary
    }
}

/// A usage mistake (not a data problem), e.g. an empty source name.
public struct CostImportUsageError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// The statements of cost import and cost listing, kept together.
enum CostSQL {
    /// Upserting (not just selecting) locks the source's row until commit: concurrent imports of one source queue.
    static let upsertSource = """
        INSERT INTO cost_sources (name) VALUES ($1)
        ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
        RETURNING id
        """
    static let insertImport = """
        INSERT INTO cost_imports (source_id, file_name, input_rows, daily_rows) VALUES ($1, $2, 0, 0) RETURNING id
        """
    /// Earlier imports' rows on exactly the days the new import covers ($3, $4: the ranges' first and
    /// last days).
    static let deleteReplaced = """
        DELETE FROM cost_daily c USING unnest($3::date[], $4::date[]) AS r(first_day, last_day)
        WHERE c.source_id = $1 AND c.import_id <> $2 AND c.day BETWEEN r.first_day AND r.last_day
        """
    static let finishImport = """
        UPDATE cost_imports SET period_start = $2::date, period_end = $3::date, input_rows = $4, skipped_rows = $5,
            daily_rows = $6, replaced_rows = $7
        WHERE id = $1
        """
    static let list = """
        SELECT s.name AS source, c.currency, min(c.day)::text AS period_start, max(c.day)::text AS period_end,
            count(DISTINCT (c.import_id, c.line)) AS rows, sum(c.effective_cost)::text AS effective_cost,
            sum(c.billed_cost)::text AS billed_cost
        FROM cost_daily c JOIN cost_sources s ON s.id = c.source_id
        GROUP BY s.name, c.currency
        ORDER BY s.name, c.currency
        """
    static let countSource = """
        SELECT count(*) FROM cost_daily c JOIN cost_sources s ON s.id = c.source_id WHERE s.name = $1
        """
    static let sourceExists = "SELECT 1 FROM cost_sources WHERE name = $1"
    static let deleteSource = "DELETE FROM cost_sources WHERE name = $1"
}
