public import Metronome
public import Foundation
public import Logging
public import Postgres
import UnitEconomics

/// What the tools read and change, opened by the caller.
public struct ToolContext: Sendable {
    /// Sessions opened `READ ONLY`: every read tool runs here, so no tool can write by mistake.
    public let readPool: PostgresConnectionPool
    /// Sessions that may write, only with `--allow-actions` (nil otherwise: the action tools do not exist).
    public let actionPool: PostgresConnectionPool?
    public let logger: Logger
    /// Today for the default period (`last_days`) and for status, as the CLI sees it.
    public let today: @Sendable () -> UTCDay

    public init(
        readPool: PostgresConnectionPool, actionPool: PostgresConnectionPool?, logger: Logger,
        today: @escaping @Sendable () -> UTCDay = {
            UTCDay(containing: Date())
        }
    ) {
        self.readPool = readPool
        self.actionPool = actionPool
        self.logger = logger
        self.today = today
    }

    var reports: UnitEconomicsReports { UnitEconomicsReports(pool: readPool) }
    var data: ReportDataSource { ReportDataSource(pool: readPool) }
}
