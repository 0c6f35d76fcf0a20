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
            Configuration comes from the environment: DATABASE_URL (or PGHOST, PGPORT, PGUSER, PGPASSWORD, \
            PGDATABASE), METERBRIDGE_SECRET_KEY (encrypts stored tokens), LOG_LEVEL (trace…critical) and \
            LOG_FORMAT (text|json). Flags override the environment.
            """,
        version: MeterBridgeVersion.current,
        subcommands: [
            MigrateCommand.self, ConnectionCommand.self, BillableMetricsCommand.self, MetricCommand.self, JobsCommand.self,
            QueueCommand.self, ReimportCommand.self, PlanCommand.self, StatusCommand.self, SecretsCommand.self, CostsCommand.self,
            CostReportCommand.self, ReportCommand.self, ServeCommand.self, MCPCommand.self,
        ])
}
