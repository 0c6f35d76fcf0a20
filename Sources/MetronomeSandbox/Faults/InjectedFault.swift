/// A fault that replaces a request's normal answer.
enum InjectedFault: Hashable, Sendable {
    /// Close the connection without a response.
    case dropConnection
    /// A 5xx with a JSON or an HTML body.
    case serverError(status: Int, htmlBody: Bool)
    /// A 200 whose body is not the JSON it claims to be.
    case malformed(MalformedBody)
    /// A 429 the rate limit did not ask for, its `Retry-After` in this style (`.off`: none).
    case rateLimited(RetryAfterMode)

    enum MalformedBody: CaseIterable, Hashable, Sendable {
        /// Valid length, JSON cut in the middle.
        case truncatedJSON
        /// An HTML error page behind a 200.
        case htmlPage
        /// `Content-Length` promises more than is sent before the connection closes.
        case shortBody
    }

    var statName: String {
        switch self {
        case .dropConnection: "dropped_connection"
        case .serverError: "server_error"
        case .malformed: "malformed_body"
        case .rateLimited: "rate_limited"
        }
    }
}
