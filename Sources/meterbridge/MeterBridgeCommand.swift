import ArgumentParser
import CommandSupport
import Metronome

/// The operator CLI.
@main
struct MeterBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterbridge",
        abstract: "Import Metronome billing data into Postgres as daily business metrics.",
        discussion: """
            Configuration comes from the environment: DATABASE_URL (or PGHOST, PGPORT, PGUSER, PGPASSWORD,
            PGDATABASE), LOG_LEVEL (trace…critical) and LOG_FORMAT (text|json). Flags override it.
            """,
        version: MeterBridgeVersion.current,
        subcommands: [
            MigrateCommand.self, ConnectionCommand.self, BillableMetricsCommand.self, MetricCommand.self, JobsCommand.self,
            QueueCommand.self,
            // Unit economics (issue 6)
            CostsCommand.self, CostReportCommand.self, ReportCommand.self,
        ])
}
