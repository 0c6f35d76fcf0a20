import Foundation
import HTTPTypes
import Hummingbird
public import Logging
import MCP
import NIOCore

/// `meterbridge mcp --http-port`: the streamable HTTP transport at `/mcp` on 127.0.0.1, behind a bearer
/// token. Each client session (begun by an `initialize` request) gets its own MCP server over the
/// SDK's `StatefulHTTPServerTransport`; all of them share the tools' database pools.
public struct MCPHTTPServer: Sendable {
    public let tools: MeterBridgeMCPServer
    public let version: String
    public let port: Int
    let token: [UInt8]
    public let onListening: @Sendable (Int) async -> Void
    let logger: Logger

    /// The endpoint's path.
    public static let path = "/mcp"

    public init(
        tools: MeterBridgeMCPServer, version: String, port: Int, bearerToken: String,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }, logger: Logger
    ) {
        self.tools = tools
        self.version = version
        self.port = port
        self.token = Array(bearerToken.utf8)
        self.onListening = onListening
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT, then closes every session.
    public func run() async throws {
        let sessions = MCPHTTPSessions(tools: tools, version: version, logger: logger)
        let router = Router()
        router.add(middleware: BearerTokenMiddleware(token: token))
        for method in [HTTPTypes.HTTPRequest.Method.post, .get, .delete] {
            router.on(RouterPath(Self.path), method: method) { request, _ -> Response in
                let body = try await request.body.collect(upTo: 4 << 20)
                var headers: [String: String] = [:]
                for field in request.headers {
                    let name = field.name.canonicalName
                    headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
                }
                let answer = await sessions.handle(
                    MCP.HTTPRequest(
                        method: request.method.rawValue, headers: headers, body: Data(buffer: body),
                        path: request.uri.path))
                return Self.response(answer)
            }
        }
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { [onListening] channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        do {
            try await application.runService()
        } catch {
            await sessions.closeAll()
            throw error
        }
        await sessions.closeAll()
    }

    static func response(_ answer: MCP.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        let body: ResponseBody
        if case .stream(let stream, _) = answer {
            body = ResponseBody { writer in
                for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            }
        } else {
            body = answer.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
        }
        return Response(status: .init(code: answer.statusCode), headers: fields, body: body)
    }
}

/// Refuses every request without `Authorization: Bearer <token>` (compared in constant time).
struct BearerTokenMiddleware<Context: Hummingbird.RequestContext>: RouterMiddleware {
    let token: [UInt8]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let presented = request.headers[.authorization].flatMap { value -> [UInt8]? in
            value.hasPrefix("Bearer ") ? Array(value.utf8.dropFirst(7)) : nil
        }
        guard let presented, Self.equal(presented, token) else {
            return Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Bearer", .contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "a bearer token is required\n")))
        }
        return try await next(request, context)
    }

    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The open MCP sessions, by `Mcp-Session-Id`. At most `limit`; the least recently used is closed
/// to make room for a new one.
actor MCPHTTPSessions {
    struct Session {
        var server: Server
        var transport: StatefulHTTPServerTransport
        var lastUsed: ContinuousClock.Instant
    }

    let tools: MeterBridgeMCPServer
    let version: String
    let logger: Logger
    let limit = 32
    var sessions: [String: Session] = [:]

    init(tools: MeterBridgeMCPServer, version: String, logger: Logger) {
        self.tools = tools
        self.version = version
        self.logger = logger
    }

    struct FixedSessionID: SessionIDGenerator {
        let id: String
        func generateSessionID() -> String { id }
    }

    func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        let id = request.header(HTTPHeaderName.sessionID)
        if let id, var session = sessions[id] {
            session.lastUsed = .now
            sessions[id] = session
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE", response.statusCode == 200 { await close(id) }
            return response
        }
        guard id == nil else {
            return .error(statusCode: 404, .invalidRequest("Not Found: no such session (it may have been closed)"))
        }
        guard request.method.uppercased() == "POST", Self.isInitialize(request.body) else {
            return .error(statusCode: 400, .invalidRequest("Bad Request: missing \(HTTPHeaderName.sessionID) header"))
        }
        if sessions.count >= limit, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            await close(oldest)
        }
        let newID = UUID().uuidString
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(id: newID), logger: logger)
        let server = await tools.makeServer(version: version)
        do {
            try await server.start(transport: transport)
        } catch {
            await transport.disconnect()
            return .error(statusCode: 500, .internalError("could not start the session"))
        }
        sessions[newID] = Session(server: server, transport: transport, lastUsed: .now)
        let response = await transport.handleRequest(request)
        if case .error = response { await close(newID) }
        return response
    }

    func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    func closeAll() async {
        for id in Array(sessions.keys) { await close(id) }
    }

    static func isInitialize(_ body: Data?) -> Bool {
        struct Envelope: Decodable { var method: String? }
        guard let body, let envelope = try? JSONDecoder().decode(Envelope.self, from: body) else { return false }
        return envelope.method == Initialize.name
    }
}
