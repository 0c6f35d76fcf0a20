import Hummingbird
public import Logging
import ServiceLifecycle

/// The Metronome simulator: a deterministic synthetic account served over HTTP with Metronome's
/// paths, shapes, paging and validation, a per-token rate limiter, fault injection, and its ground
/// truth at `/__sandbox/truth`.
///
/// Tests start it in-process on port 0 with ``withRunning(logger:_:)``; the executable uses
/// ``run(logger:onListening:)``.
public struct MetronomeSandbox: Sendable {
    let state: SandboxState

    public init(configuration: SandboxConfiguration) {
        self.state = SandboxState(
            configuration: configuration, account: AccountGenerator.generate(configuration.account))
    }

    public var configuration: SandboxConfiguration { state.configuration }
    public var account: SandboxAccount { state.account }
    /// The live counters (also at `GET /__sandbox/stats`).
    public var stats: SandboxStatsSnapshot { state.stats.snapshot }

    /// The expected import (also at `GET /__sandbox/truth`).
    public func truth(_ filter: TruthFilter = TruthFilter()) -> [TruthRow] {
        TruthCalculator.rows(for: state.account, filter: filter)
    }

    /// Serves until the task is cancelled (or, under a `ServiceGroup`, shut down gracefully).
    /// - Parameter onListening: called once with the bound port (the real one when configured as 0).
    public func run(logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(logger: logger, onListening: onListening).run()
    }

    func makeApplication(
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(
                address: .hostname(state.configuration.host, port: state.configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: the executable's entry point.
    public func runUntilSignalled(logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in })
        async throws
    {
        try await makeApplication(logger: logger, onListening: onListening).runService()
    }

    /// Starts the sandbox, runs `body` with the bound port, then shuts the sandbox down gracefully.
    public func withRunning<Result: Sendable>(
        logger: Logger,
        _ body: @Sendable (RunningSandbox) async throws -> Result
    ) async throws -> Result {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let application = makeApplication(logger: logger) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        var groupConfiguration = ServiceGroupConfiguration(services: [application], logger: logger)
        // A request held by the slow-response fault must not hold up a test's teardown.
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(500)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }
                try await serviceGroup.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw SandboxStartupError()
            }
            let running = RunningSandbox(sandbox: self, host: state.configuration.host, port: port)
            let result: Result
            do {
                result = try await body(running)
            } catch {
                await serviceGroup.triggerGracefulShutdown()
                throw error
            }
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }

    func makeRouter() -> Router<SandboxRequestContext> {
        let state = self.state
        let router = Router(context: SandboxRequestContext.self)
        // Middleware first: Hummingbird applies it to the routes added after it.
        router.add(middleware: SandboxGateMiddleware(state: state))

        router.get("/v1/customers") { request, _ in try CustomerEndpoints.list(request, state) }
        router.get("/v1/customers/:customer_id") { _, context in
            try CustomerEndpoints.get(try context.parameters.require("customer_id"), state)
        }
        router.get("/v1/customers/:customer_id/billable-metrics") { request, context in
            try BillableMetricEndpoints.listForCustomer(try context.parameters.require("customer_id"), request, state)
        }
        router.get("/v1/customers/:customer_id/invoices/breakdowns") { request, context in
            try InvoiceBreakdownEndpoint.handle(try context.parameters.require("customer_id"), request, state)
        }
        router.get("/v1/billable-metrics") { request, _ in try BillableMetricEndpoints.list(request, state) }
        router.get("/v1/credit-types/list") { request, _ in try CreditTypeEndpoints.list(request, state) }
        router.post("/v1/usage") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            return try UsageEndpoint.handle(request, body: body, state)
        }

        router.get("/__sandbox/truth") { request, _ in try AdminEndpoints.truth(request, state) }
        router.get("/__sandbox/stats") { _, _ in AdminEndpoints.stats(state) }
        router.get("/__sandbox/info") { _, _ in AdminEndpoints.info(state) }
        return router
    }
}
