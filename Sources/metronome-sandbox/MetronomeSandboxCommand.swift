import ArgumentParser
import Logging
import MetronomeSandbox

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `metronome-sandbox`: serve the simulator (the default), print its truth, or benchmark it.
@main
struct MetronomeSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metronome-sandbox",
        abstract: "A local, faithful Metronome API simulator with deterministic synthetic data.",
        discussion: """
            Serves GET /v1/customers, GET /v1/customers/{id}, GET /v1/customers/{id}/billable-metrics, \
            GET /v1/billable-metrics, POST /v1/usage, GET /v1/customers/{id}/invoices/breakdowns and \
            GET /v1/credit-types/list with Metronome's shapes, paging and validation, plus \
            GET /__sandbox/truth, /__sandbox/stats and /__sandbox/info. With --port 0 the bound port \
            is printed alone on the first line of stdout; logs go to stderr.
            """,
        subcommands: [TruthCommand.self, BenchCommand.self]
    )

    @OptionGroup(title: "Server") var server: ServerOptions
    @OptionGroup(title: "Account") var account: AccountOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "Faults") var faults: FaultOptions

    func run() async throws {
        var logger = Logger(label: "metronome-sandbox")
        logger.logLevel = server.logLevel
        var configuration = SandboxConfiguration(
            host: server.host,
            port: server.port,
            tokens: server.tokens.isEmpty ? ["sandbox-token"] : server.tokens,
            unauthorizedStatus: server.unauthorizedStatus,
            account: account.parameters,
            rateLimit: limits.rateLimit,
            retryAfter: limits.retryAfterMode ?? .seconds,
            usageWindowsPerPage: limits.usageWindowsPerPage,
            defaultPageSize: limits.defaultPageSize,
            strictUsageBounds: !limits.lenientUsageBounds,
            faults: faults.configuration
        )
        configuration.latency = .microseconds(Int64((server.latencyMs * 1_000).rounded()))
        configuration.latencyJitter = .microseconds(Int64((server.latencyJitterMs * 1_000).rounded()))
        let sandbox = MetronomeSandbox(configuration: configuration)
        let rateLimit = configuration.rateLimit
        let parameters = sandbox.account.parameters
        let startupLogger = logger
        try await sandbox.runUntilSignalled(logger: logger) { port in
            print(port)
            fflush(nil)
            startupLogger.info(
                "Sandbox listening",
                metadata: [
                    "sandbox.port": "\(port)",
                    "sandbox.account.seed": "\(parameters.seed)",
                    "sandbox.account.profile": "\(parameters.profile)",
                    "sandbox.account.customers": "\(parameters.customerCount)",
                    "sandbox.account.billable_metrics": "\(parameters.billableMetricCount)",
                    "sandbox.account.first_day": "\(parameters.firstDay)",
                    "sandbox.account.last_day": "\(parameters.lastDay)",
                    "sandbox.rate_limit": "\(rateLimit)",
                ]
            )
        }
    }
}
