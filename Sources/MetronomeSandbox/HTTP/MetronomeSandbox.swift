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
    /// The first token's: its account is generated from the configured seed.
    let state: SandboxState
    /// Every token's, each with its own account (``SandboxConfiguration/accountParameters(forToken:)``).
    let states: [String: SandboxState]

    public init(configuration: SandboxConfiguration) {
        let first = SandboxState(
            configuration: configuration,
            account: AccountGenerator.generate(configuration.accountParameters(forToken: configuration.tokens.first ?? "")))
        var states: [String: SandboxState] = [:]
        for token in configuration.tokens where states[token] == nil {
            states[token] =
                token == configuration.tokens.first
                ? first : SandboxState(account: AccountGenerator.generate(configuration.accountParameters(forToken: token)), sharing: first)
        }
        self.state = first
        self.states = states
    }

    public var configuration: SandboxConfiguration { state.configuration }
    /// The first token's account.
    public var account: SandboxAccount { state.account }
    /// The account `token` is served (nil for a token the sandbox does not accept).
    public func account(token: String) -> SandboxAccount? { states[token]?.account }
    /// The live counters (also at `GET /__sandbox/stats`).
    public var stats: SandboxStatsSnapshot { state.stats.snapshot }
    /// The live counters of one token's requests.
    public func stats(token: String) -> SandboxStatsSnapshot { state.stats.snapshot(token: token) }

    /// The expected import of the first token's account (also at `GET /__sandbox/truth`), or of `token`'s.
    public func truth(_ filter: TruthFilter = TruthFilter(), token: String? = nil) -> [TruthRow] {
        TruthCalculator.rows(for: token.flatMap { states[$0]?.account } ?? state.account, filter: filter)
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
        let states = self.states
        /// The state of the token the gate admitted the request with.
        @Sendable func scoped(_ context: SandboxRequestContext) -> SandboxState { states[context.token] ?? state }
        /// The state of `?token=` on an admin endpoint (the first token's without it).
        @Sendable func named(_ request: Request) throws(APIError) -> SandboxState {
            guard let token = QueryReader(request).string("token") else { return state }
            guard let named = states[token] else { throw .badRequest("token is not one the sandbox accepts") }
            return named
        }
        let router = Router(context: SandboxRequestContext.self)
        // Middleware first: Hummingbird applies it to the routes added after it.
        router.add(middleware: SandboxGateMiddleware(state: state))

        router.get("/v1/customers") { request, context in try CustomerEndpoints.list(request, scoped(context)) }
        router.get("/v1/customers/:customer_id") { _, context in
            try CustomerEndpoints.get(try context.parameters.require("customer_id"), scoped(context))
        }
        router.get("/v1/customers/:customer_id/billable-metrics") { request, context in
            try BillableMetricEndpoints.listForCustomer(try context.parameters.require("customer_id"), request, scoped(context))
        }
        router.get("/v1/customers/:customer_id/invoices/breakdowns") { request, context in
            try InvoiceBreakdownEndpoint.handle(try context.parameters.require("customer_id"), request, scoped(context))
        }
        router.get("/v1/billable-metrics") { request, context in try BillableMetricEndpoints.list(request, scoped(context)) }
        router.get("/v1/credit-types/list") { request, context in try CreditTypeEndpoints.list(request, scoped(context)) }
        router.post("/v1/usage") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            return try UsageEndpoint.handle(request, body: body, scoped(context))
        }

        router.get("/__sandbox/truth") { request, _ in try AdminEndpoints.truth(request, try named(request)) }
        router.get("/__sandbox/stats") { _, _ in AdminEndpoints.stats(state, tokens: state.configuration.tokens) }
        router.get("/__sandbox/info") { request, _ in AdminEndpoints.info(try named(request)) }
        return router
    }
}
