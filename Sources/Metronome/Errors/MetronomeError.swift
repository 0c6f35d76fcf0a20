/// Every failure of a Metronome call, classified once so callers act on the class.
///
/// The description is safe to log: it holds the endpoint (method and path, no query), the status,
/// and at most a short excerpt of the response with the bearer token scrubbed out. Request bodies,
/// query values and headers are never included.
public struct MetronomeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// 429 after the retry policy gave up. `retryAfter` is what the server asked for, if anything.
        case rateLimited(retryAfter: Duration?)
        /// 5xx, 408/409, timeouts, connection resets, truncated or unparseable bodies. Never data.
        case transient
        /// 401 or 403: the token is bad or lacks scope (Metronome uses both for a bad token).
        case unauthorized
        /// 404, e.g. an unknown customer.
        case notFound
        /// 400 and other 4xx, or a request this client refused to send (invalid `limit`).
        case badRequest
        /// Well-formed JSON of the wrong shape. Retrying cannot help.
        case decoding
        /// The server repeated a cursor, or the walk passed its page cap.
        case pagination
    }

    public let kind: Kind
    /// `METHOD /path`, e.g. `POST /v1/usage`.
    public let endpoint: String
    /// The HTTP status, when there was a response.
    public let status: Int?
    /// Safe detail: the server's message or a short token-free excerpt, or the client's reason.
    public let detail: String

    public init(kind: Kind, endpoint: String, status: Int? = nil, detail: String) {
        self.kind = kind
        self.endpoint = endpoint
        self.status = status
        self.detail = detail
    }

    /// Whether the per-request retry policy may try again.
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .transient: true
        case .unauthorized, .notFound, .badRequest, .decoding, .pagination: false
        }
    }

    public var kindName: String {
        switch kind {
        case .rateLimited: "rate_limited"
        case .transient: "transient"
        case .unauthorized: "unauthorized"
        case .notFound: "not_found"
        case .badRequest: "bad_request"
        case .decoding: "decoding"
        case .pagination: "pagination"
        }
    }

    public var description: String {
        var text = "Metronome \(kindName) error on \(endpoint)"
        if let status { text += " (HTTP \(status))" }
        if case .rateLimited(let retryAfter?) = kind { text += " retry after \(retryAfter)" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
