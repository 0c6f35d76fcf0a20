/// One logical request, before auth and transport details are added. Retries resend it unchanged.
struct MetronomeRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    var method: Method
    var path: String
    var query: [(name: String, value: String)]
    var jsonBody: [UInt8]?

    init(method: Method, path: String, query: [(name: String, value: String)] = [], jsonBody: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.jsonBody = jsonBody
    }

    /// `METHOD /path`, the name errors and logs use. No query: cursors and filters stay out of errors.
    var endpoint: String { "\(method.rawValue) \(path)" }

    /// The endpoint with ids replaced by `{id}` (`GET /v1/customers/{id}/invoices/breakdowns`), so a
    /// metrics label has a bounded set of values.
    var metricsEndpoint: String {
        let template = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.count >= 16 && segment.contains(where: \.isNumber) ? "{id}" : String(segment)
        }.joined(separator: "/")
        return "\(method.rawValue) \(template)"
    }

    /// The same request for another page.
    func withCursor(_ cursor: String?) -> MetronomeRequest {
        guard let cursor else { return self }
        var copy = self
        copy.query.append((name: "next_page", value: cursor))
        return copy
    }

    /// Path and percent-encoded query.
    var target: String {
        guard !query.isEmpty else { return path }
        let encoded = query.map { "\(QueryEncoding.escape($0.name))=\(QueryEncoding.escape($0.value))" }
        return path + "?" + encoded.joined(separator: "&")
    }
}
