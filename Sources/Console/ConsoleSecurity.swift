import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The console's secrets for one process: the CSRF token every form carries and the key that signs
/// session cookies. Both are random per process, so a restart signs everyone out.
struct ConsoleSecrets: Sendable {
    /// The session cookie's name.
    static let sessionCookie = "meterbridge_session"

    let csrfToken: String
    private let sessionKey: SymmetricKey

    init() {
        csrfToken = Self.hex(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
        sessionKey = SymmetricKey(size: .bits256)
    }

    /// The session cookie's value for someone who signed in with `token`.
    func session(for token: String) -> String {
        Self.hex(Data(HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: sessionKey)))
    }

    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    /// Compares without an early exit, so timing tells nothing about how much of a guess was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

/// Headers on every answer, errors included: a Content-Security-Policy that allows only the console's
/// own script and stylesheet (no inline script or style), no framing, no sniffing, no referrer.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    let logger: Logger
    /// Renders an error (status, message, request path) as a console page.
    let errorPage: @Sendable (HTTPResponse.Status, String, String) -> Response

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        let path = request.uri.path
        do {
            response = try await next(request, context)
            if response.status == .notFound, response.headers[.contentType] == nil {
                response = errorPage(.notFound, "There is no page at \(path).", path)
            }
        } catch let error as HTTPError where error.status.code >= 400 && error.status != .unauthorized {
            // Pages, not bare JSON: the message a person can act on, inside the console.
            let text = error.body ?? (error.status == .notFound ? "There is no page at \(path)." : error.status.reasonPhrase)
            response = errorPage(error.status, text, path)
            for field in error.headers { response.headers.append(field) }
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            // The message may hold database details: it goes to the log, the browser gets a generic page.
            logger.error("console request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            response = Response(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "Internal error: see the server's log.\n")))
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// With a token configured, lets a request through only with `Authorization: Bearer TOKEN` or the
/// session cookie; a browser asking for a page is sent to the sign-in form. In read-only mode every
/// POST but signing in and out is refused before it reaches a handler.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: ConsoleConfiguration.Access
    let readOnly: Bool
    let secrets: ConsoleSecrets

    /// Whether only loopback host names are accepted in `Host` (the console binds a loopback address).
    let loopbackOnly: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        // A page of another site that rebinds its own name to 127.0.0.1 reaches a loopback console as
        // "same origin"; it still sends its own name as Host, so only loopback names are served.
        if loopbackOnly, let authority = request.head.authority,
            !ConsoleConfiguration.isLoopback(Self.hostname(authority))
        {
            throw HTTPError(.misdirectedRequest, message: "this console answers only to 127.0.0.1, localhost and [::1]")
        }
        // A browser says where a POST comes from: refuse any page but the console's own.
        if request.method == .post, let origin = request.headers[.origin], let authority = request.head.authority,
            URLComponents(string: origin).map({ Self.authority(of: $0) }) != authority.lowercased()
        {
            throw HTTPError(.forbidden, message: "cross-origin request refused")
        }
        if case .token(let token) = access, !path.hasPrefix("/static/"), path != "/login" {
            if let authorization = request.headers[.authorization] {
                guard authorization.hasPrefix("Bearer "),
                    ConsoleSecrets.constantTimeEqual(String(authorization.dropFirst(7)), token)
                else {
                    throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "invalid token")
                }
            } else if let cookie = request.cookies[ConsoleSecrets.sessionCookie],
                ConsoleSecrets.constantTimeEqual(cookie.value, secrets.session(for: token))
            {
                // Signed in.
            } else if request.method == .get || request.method == .head {
                return Response(status: .seeOther, headers: [.location: "/login"])
            } else {
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "sign in first")
            }
        }
        if readOnly, request.method != .get, request.method != .head, path != "/login", path != "/logout" {
            throw HTTPError(.forbidden, message: "the console is read-only")
        }
        return try await next(request, context)
    }

    /// `host` of `host:port`, `[::1]` of `[::1]:port`.
    static func hostname(_ authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") { return String(authority[...end]) }
        return String(authority.split(separator: ":", maxSplits: 1).first ?? "").lowercased()
    }

    /// `host[:port]` of an origin, as a browser writes it in `Host` for the same server.
    static func authority(of origin: URLComponents) -> String {
        var host = (origin.host ?? "").lowercased()
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        return origin.port.map { "\(host):\($0)" } ?? host
    }
}

/// Fields of a query string or an `application/x-www-form-urlencoded` body, in order (a key may repeat).
struct FormFields: Sendable {
    var pairs: [(String, String)]

    init(encoded text: String) {
        pairs = text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(halves[0]), halves.count > 1 ? decode(halves[1]) : "")
        }
    }

    init(query request: Request) { self.init(encoded: request.uri.query ?? "") }

    /// The first non-empty value of `key`.
    subscript(_ key: String) -> String? {
        pairs.first { $0.0 == key && !$0.1.isEmpty }?.1
    }

    func all(_ key: String) -> [String] { pairs.filter { $0.0 == key && !$0.1.isEmpty }.map(\.1) }

    /// The fields as a query string (for links that keep a filter). Only ASCII letters, digits and
    /// `-._~` stay as they are; everything else is percent-encoded (UTF-8).
    static func encode(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return pairs.filter { !$0.1.isEmpty }.map { key, value in
            (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }

    /// A POST's form, refused unless it carries this process's CSRF token.
    static func post(_ request: Request, secrets: ConsoleSecrets) async throws -> FormFields {
        var request = request
        let body = try await request.collectBody(upTo: 65_536)
        let form = FormFields(encoded: String(buffer: body))
        guard let token = form["csrf"], ConsoleSecrets.constantTimeEqual(token, secrets.csrfToken) else {
            throw HTTPError(.forbidden, message: "missing or wrong CSRF token: reload the page and try again")
        }
        return form
    }
}
