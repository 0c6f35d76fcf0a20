import Logging
import Metronome
import MetronomeSandbox

/// Runs a test against a real sandbox on 127.0.0.1, port 0, with a real client. No HTTP mocks.
enum SandboxHarness {
    static let token = "test-token-SECRET"
    static let lastDay = CivilDay(year: 2026, month: 1, day: 31)!
    static let logger = Logger(label: "metronome-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A small account with multi-page walks everywhere: 8 customers, 4 metrics, 75 days,
    /// 20 usage windows per page, GET lists 3 per page, no rate limit.
    static func configuration(
        rateLimit: Double = 0,
        faults: FaultConfiguration = FaultConfiguration()
    ) -> SandboxConfiguration {
        SandboxConfiguration(
            tokens: [token],
            account: AccountParameters(
                seed: 7, customerCount: 8, billableMetricCount: 4, dayCount: 75, lastDay: lastDay),
            rateLimit: rateLimit,
            usageWindowsPerPage: 20,
            defaultPageSize: 3,
            faults: faults
        )
    }

    /// - Parameters:
    ///   - realSleep: also wait for real between retries (only where a test needs the server's
    ///     clock to move, such as a refilling rate limit); otherwise delays are recorded, not slept.
    static func run<Result: Sendable>(
        _ sandboxConfiguration: SandboxConfiguration = configuration(),
        token: String = token,
        retryPolicy: RetryPolicy = RetryPolicy(initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(5)),
        requestTimeout: Duration = .seconds(10),
        maxPages: Int = 10_000,
        pacer: any RequestPacer = UnpacedRequests(),
        realSleep: Bool = false,
        _ body: @Sendable (RunningSandbox, MetronomeClient, SleepRecorder) async throws -> Result
    ) async throws -> Result {
        let sandbox = MetronomeSandbox(configuration: sandboxConfiguration)
        let recorder = SleepRecorder()
        return try await sandbox.withRunning(logger: logger) { running in
            let clientConfiguration = MetronomeClientConfiguration(
                baseURL: running.baseURL,
                token: MetronomeToken(token),
                connectTimeout: .seconds(5),
                requestTimeout: requestTimeout,
                retryPolicy: retryPolicy,
                maxPages: maxPages,
                sleep: { delay in
                    recorder.record(delay)
                    if realSleep { try await Task.sleep(for: delay) }
                },
                random: { 1 }
            )
            return try await MetronomeClient.withClient(
                configuration: clientConfiguration, pacer: pacer, logger: logger
            ) {
                try await body(running, $0, recorder)
            }
        }
    }
}
