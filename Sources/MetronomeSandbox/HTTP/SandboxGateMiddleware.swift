import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything that happens to an API request before and after its route: authentication, the
/// per-token rate limit, fault injection, error bodies in Metronome's shape, and statistics.
/// `/__sandbox/*` only gets error shaping.
struct SandboxGateMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext

    let state: SandboxState

    /// Thrown after closing the channel, so nothing more is written to it.
    struct ConnectionDropped: Error {}

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/__sandbox/") {
            return try await respond(request, context, next)
        }
        let endpoint = Self.endpointName(method: request.method, path: path)
        let configuration = state.configuration
        state.stats.recordUserAgent(request.headers[.userAgent] ?? "")
        try await Self.networkDelay(configuration)

        guard let token = Self.bearerToken(request), configuration.tokens.contains(token) else {
            state.stats.recordResponse(endpoint: endpoint, status: configuration.unauthorizedStatus)
            return SandboxResponses.message("Invalid or missing API token", status: configuration.unauthorizedStatus)
        }
        let context = {
            var admitted = context
            admitted.token = token
            return admitted
        }()

        if let wait = state.limiter.admit(token: token) {
            state.stats.recordResponse(endpoint: endpoint, status: 429, token: token)
            return rateLimited(wait: wait, mode: configuration.retryAfter)
        }

        let draw = state.faults.draw()
        if draw.slow {
            state.stats.recordFault("slow")
            try await Task.sleep(for: configuration.faults.slowDelay)
        }
        switch draw.fault {
        case .dropConnection:
            state.stats.recordFault(InjectedFault.dropConnection.statName)
            state.stats.recordResponse(endpoint: endpoint, status: 0, token: token)
            context.channel.close(promise: nil)
            throw ConnectionDropped()
        case .serverError(let status, let htmlBody):
            state.stats.recordFault("server_error")
            state.stats.recordResponse(endpoint: endpoint, status: status, token: token)
            return htmlBody
                ? SandboxResponses.text(
                    "<html><head><title>\(status)</title></head><body><h1>\(status) Server Error</h1></body></html>",
                    contentType: "text/html",
                    status: HTTPResponse.Status(code: status)
                ) : SandboxResponses.message("Internal server error", status: status)
        case .rateLimited(let mode):
            state.stats.recordFault(InjectedFault.rateLimited(mode).statName)
            state.stats.recordResponse(endpoint: endpoint, status: 429, token: token)
            return rateLimited(wait: 1, mode: mode)
        case .malformed, nil:
            break
        }

        let routeFaults = RouteFaults()
        var response = try await RouteFaults.$current.withValue(routeFaults) {
            configuration.faults.schemaDrift
                ? try await SchemaDrift.$isOn.withValue(true) { try await respond(request, context, next) }
                : try await respond(request, context, next)
        }
        let pageKey = response.headers[SandboxResponses.pageKeyHeader]
        response.headers[SandboxResponses.pageKeyHeader] = nil
        if case .malformed(let kind) = draw.fault, response.status == .ok {
            state.stats.recordFault("malformed_body")
            state.stats.recordResponse(endpoint: endpoint, status: 200, token: token)
            return malformed(kind, context: context)
        }
        if configuration.faults.schemaDrift && response.status == .ok { state.stats.recordFault("schema_drift") }
        if response.status == .ok, let pageKey, !routeFaults.repeatedCursor {
            state.stats.recordPageServed(SandboxStats.PageKey(token + "\u{0}" + pageKey), token: token)
        }
        state.stats.recordResponse(endpoint: endpoint, status: Int(response.status.code), token: token)
        return response
    }

    /// The configured latency and a uniform draw of its jitter: the round trip of a real network.
    static func networkDelay(_ configuration: SandboxConfiguration) async throws {
        let delay = configuration.latency + configuration.latencyJitter * Double.random(in: 0...1)
        if delay > .zero { try await Task.sleep(for: delay) }
    }

    /// Runs the route, turning thrown errors into Metronome-shaped error bodies.
    private func respond(
        _ request: Request,
        _ context: Context,
        _ next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return SandboxResponses.message(error.message, status: error.status)
        } catch let error as HTTPError {
            let message = error.status == .notFound ? "Not found" : (error.body ?? "Request failed")
            return SandboxResponses.message(message, status: Int(error.status.code))
        }
    }

    private func rateLimited(wait: Double, mode: RetryAfterMode) -> Response {
        var response = SandboxResponses.message("Too many requests", status: 429)
        let seconds = max(1, Int(wait.rounded(.up)))
        switch mode {
        case .off:
            break
        case .seconds:
            response.headers[.retryAfter] = String(seconds)
        case .httpDate:
            // Dates have whole seconds: round up, so the date is never earlier than the refill.
            let refill = Int64((Date().timeIntervalSince1970 + wait).rounded(.up))
            response.headers[.retryAfter] = HTTPDateFormat.format(unixSeconds: refill)
        case .milliseconds:
            response.headers[.retryAfter] = String(seconds)
            response.headers[HTTPField.Name("retry-after-ms")!] = String(max(1, Int((wait * 1000).rounded(.up))))
        }
        return response
    }

    private func malformed(_ kind: InjectedFault.MalformedBody, context: Context) -> Response {
        switch kind {
        case .truncatedJSON:
            return SandboxResponses.text(
                "{\"data\":[{\"customer_id\":\"d7abd0cd-4ae9-4db7", contentType: "application/json")
        case .htmlPage:
            return SandboxResponses.text(
                "<html><body><h1>502 Bad Gateway</h1><p>upstream closed</p></body></html>",
                contentType: "text/html"
            )
        case .shortBody:
            let channel = context.channel
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .contentLength: "4096"],
                body: ResponseBody(contentLength: 4096) { writer in
                    try await writer.write(ByteBuffer(string: "{\"data\":[{\"customer_id\":"))
                    try await channel.close()
                    throw ConnectionDropped()
                }
            )
        }
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    /// The route template, so statistics group `/v1/customers/<id>` requests together.
    static func endpointName(method: HTTPRequest.Method, path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let template: String
        switch parts.count {
        case 4 where parts[0] == "v1" && parts[1] == "customers" && parts[3] == "billable-metrics":
            template = "/v1/customers/{customer_id}/billable-metrics"
        case 5 where parts[0] == "v1" && parts[1] == "customers" && parts[3] == "invoices" && parts[4] == "breakdowns":
            template = "/v1/customers/{customer_id}/invoices/breakdowns"
        case 3 where parts[0] == "v1" && parts[1] == "customers":
            template = "/v1/customers/{customer_id}"
        default:
            template = "/" + parts.joined(separator: "/")
        }
        return "\(method.rawValue) \(template)"
    }
}
