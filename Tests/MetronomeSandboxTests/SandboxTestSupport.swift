import AsyncHTTPClient
import Logging
import MetronomeSandbox

/// Starts sandboxes for tests and talks to them with plain HTTP, so requests the client would
/// never send (bad limits, misaligned bounds, garbage bodies) can be sent.
enum SandboxTestSupport {
    static let token = "sandbox-test-token"
    static let lastDay = CivilDay(year: 2026, month: 1, day: 31)!
    static let logger = Logger(label: "sandbox-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    static func configuration(
        customers: Int = 12,
        metrics: Int = 4,
        days: Int = 75,
        seed: UInt64 = 3,
        rateLimit: Double = 0,
        faults: FaultConfiguration = FaultConfiguration()
    ) -> SandboxConfiguration {
        SandboxConfiguration(
            tokens: [token],
            account: AccountParameters(
                seed: seed, customerCount: customers, billableMetricCount: metrics, dayCount: days, lastDay: lastDay),
            rateLimit: rateLimit,
            usageWindowsPerPage: 30,
            defaultPageSize: 5,
            faults: faults
        )
    }

    static func run<Result: Sendable>(
        _ configuration: SandboxConfiguration = configuration(),
        _ body: @Sendable (RunningSandbox, RawHTTP) async throws -> Result
    ) async throws -> Result {
        try await MetronomeSandbox(configuration: configuration).withRunning(logger: logger) { running in
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            do {
                let result = try await body(running, RawHTTP(client: client, baseURL: running.baseURL))
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }
}
