import HTTPTypes
public import Hummingbird
import Importer
import JobQueue
public import Logging
import Mustache
import NIOCore
public import Postgres
public import ServiceLifecycle

/// `meterbridge serve`: server-rendered pages over the same Postgres and the same library calls as the
/// CLI — overview, metrics, jobs, unit economics — with the operator actions the CLI has.
public struct ConsoleServer: Sendable {
    public let configuration: ConsoleConfiguration
    let pool: PostgresConnectionPool
    let logger: Logger
    let secrets = ConsoleSecrets()

    public init(configuration: ConsoleConfiguration, pool: PostgresConnectionPool, logger: Logger) {
        self.configuration = configuration
        self.pool = pool
        self.logger = logger
    }

    var queue: JobQueue { JobQueue(pool: pool, logger: logger) }
    var metrics: MetricStore { MetricStore(pool: pool) }

    /// The HTTP application; `onListening` receives the bound port (useful with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol
        & Service
    {
        Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SecurityHeadersMiddleware(logger: logger, errorPage: { status, text, path in self.errorPage(status, text, path: path) }))
        router.add(
            middleware: AccessMiddleware(
                access: configuration.access, readOnly: configuration.readOnly, secrets: secrets,
                loopbackOnly: ConsoleConfiguration.isLoopback(configuration.host)))
        router.get("static/console.css") { _, _ in Self.asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("static/console.js") { _, _ in Self.asset(ConsoleAssets.js, type: "text/javascript; charset=utf-8") }
        router.get("login") { _, _ in try self.loginPage(failed: false) }
        router.post("login") { request, _ in try await self.login(request) }
        router.post("logout") { request, _ in try await self.logout(request) }
        router.get("/") { _, _ in try await self.overviewPage() }
        router.get("metrics") { _, _ in try await self.metricsPage() }
        router.get("metrics/:id") { request, context in
            try await self.metricPage(request, id: try context.parameters.require("id", as: Int64.self))
        }
        router.get("metrics/:id/values.csv") { request, context in
            try await self.metricCSV(request, id: try context.parameters.require("id", as: Int64.self))
        }
        router.post("metrics/:id/reimport") { request, context in
            try await self.reimport(request, id: try context.parameters.require("id", as: Int64.self))
        }
        router.get("jobs") { request, _ in try await self.jobsPage(request) }
        router.get("jobs/retry-failed") { request, _ in try await self.confirmRetryFailed(request) }
        router.post("jobs/retry-failed") { request, _ in try await self.retryFailed(request) }
        router.get("jobs/:id") { _, context in
            try await self.jobPage(id: try context.parameters.require("id", as: Int64.self))
        }
        router.post("jobs/:id/retry") { request, context in
            try await self.retryJob(request, id: try context.parameters.require("id", as: Int64.self))
        }
        router.post("jobs/:id/cancel") { request, context in
            try await self.cancelJob(request, id: try context.parameters.require("id", as: Int64.self))
        }
        router.post("queues/:name/:action") { request, context in
            try await self.pauseOrResume(
                request, queue: try context.parameters.require("name"), action: try context.parameters.require("action")
            )
        }
        router.get("reports") { request, _ in try await self.reportsPage(request) }
        router.get("reports/:name") { request, context in
            try await self.reportPage(request, name: try context.parameters.require("name"))
        }
        router.get("costs") { _, _ in try await self.costsPage() }
        return router
    }

    // MARK: Rendering

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    struct NavItem { var href: String; var name: String; var current: Bool }

    struct Layout {
        var title: String
        var nav: [NavItem]
        var readOnly: Bool
        var signedIn: Bool
        var csrf: String
        var content: String
    }

    /// Whether pages offer actions (forms that change something).
    var actions: Bool { !configuration.readOnly }
    var csrf: String { secrets.csrfToken }

    /// Renders `template` with `model` inside the page layout.
    func page(_ title: String, section: String, template: String, model: some Sendable, status: HTTPResponse.Status = .ok)
        -> Response
    {
        let content = ConsoleTemplates.library.render(model, withTemplate: template) ?? ""
        let sections = [
            ("/", "Overview"), ("/metrics", "Metrics"), ("/jobs", "Jobs"), ("/reports", "Unit economics"),
            ("/costs", "Costs"),
        ]
        var signedIn = false
        if case .token = configuration.access { signedIn = true }
        let layout = Layout(
            title: title, nav: sections.map { NavItem(href: $0.0, name: $0.1, current: $0.0 == section) },
            readOnly: configuration.readOnly, signedIn: signedIn, csrf: csrf, content: content)
        let html = ConsoleTemplates.library.render(layout, withTemplate: "layout") ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    struct Message { var kind: String; var text: String; var back: String }

    /// The answer to an action: what happened, and a link back.
    func message(
        _ title: String, section: String, _ text: String, back: String, kind: String = "ok",
        status: HTTPResponse.Status = .ok
    ) -> Response {
        page(
            title, section: section, template: "message", model: Message(kind: kind, text: text, back: back),
            status: status)
    }

    /// An error as a page of the console (not bare JSON): what went wrong, and a way back to the section
    /// the request came from.
    func errorPage(_ status: HTTPResponse.Status, _ text: String, path: String) -> Response {
        let sections = ["/metrics", "/jobs", "/reports", "/costs"]
        let section = sections.first { path.hasPrefix($0) } ?? "/"
        return message(status == .notFound ? "Not found" : "Cannot show this page", section: section, text, back: section, kind: "error", status: status)
    }

    // MARK: Signing in

    struct LoginModel { var failed: Bool; var csrf: String }

    func loginPage(failed: Bool) throws -> Response {
        page(
            "Sign in", section: "", template: "login", model: LoginModel(failed: failed, csrf: csrf),
            status: failed ? .unauthorized : .ok)
    }

    func login(_ request: Request) async throws -> Response {
        let form = try await FormFields.post(request, secrets: secrets)
        guard case .token(let token) = configuration.access else {
            return Response(status: .seeOther, headers: [.location: "/"])
        }
        guard let given = form["token"], ConsoleSecrets.constantTimeEqual(given, token) else {
            logger.warning("console sign-in refused")
            return try loginPage(failed: true)
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(
            Cookie(
                name: ConsoleSecrets.sessionCookie, value: secrets.session(for: token),
                path: "/",
                httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ request: Request) async throws -> Response {
        _ = try await FormFields.post(request, secrets: secrets)
        var response = Response(status: .seeOther, headers: [.location: "/login"])
        response.setCookie(
            Cookie(
                name: ConsoleSecrets.sessionCookie, value: "", maxAge: 0, path: "/",
                httpOnly: true,
                sameSite: .strict))
        return response
    }
}
