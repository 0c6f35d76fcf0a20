#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Turns what came back into a ``MetronomeError`` class. Pure, so every branch is unit-tested.
struct ResponseClassifier: Sendable {
    let endpoint: String
    let token: String

    /// A failed attempt: the error and the delay the server asked for, if any.
    struct Failure: Error {
        let error: MetronomeError
        let serverDelay: Duration?
    }

    /// The class of a non-2xx response.
    func failure(status: Int, body: [UInt8], serverDelay: Duration?) -> Failure {
        let detail = message(in: body)
        let kind: MetronomeError.Kind
        switch status {
        case 429: kind = .rateLimited(retryAfter: serverDelay)
        case 401, 403: kind = .unauthorized
        case 404: kind = .notFound
        // 408 and 409 are what the SDKs retry besides 429 and 5xx ("lock timeouts").
        case 408, 409, 500...: kind = .transient
        default: kind = .badRequest
        }
        return Failure(
            error: MetronomeError(kind: kind, endpoint: endpoint, status: status, detail: detail),
            serverDelay: serverDelay)
    }

    /// The class of a 2xx body that did not decode.
    ///
    /// Invalid JSON (empty, truncated, an HTML error page behind a 200) is transient: it is a
    /// transport accident and a retry can fix it. Valid JSON of the wrong shape is a decoding error:
    /// it will be wrong again, and treating it as data would be worse.
    func decodingFailure(_ error: any Error, status: Int, body: [UInt8]) -> Failure {
        if let decodingError = error as? DecodingError, case .dataCorrupted(let context) = decodingError,
            context.codingPath.isEmpty
        {
            return Failure(
                error: MetronomeError(
                    kind: .transient,
                    endpoint: endpoint,
                    status: status,
                    detail: "unparseable or truncated body (\(body.count) bytes): \(excerpt(body))"
                ),
                serverDelay: nil
            )
        }
        return Failure(
            error: MetronomeError(
                kind: .decoding,
                endpoint: endpoint,
                status: status,
                detail: "\(Self.describe(error)); body starts: \(excerpt(body))"
            ),
            serverDelay: nil
        )
    }

    /// The class of an error thrown before a full response arrived.
    func transportFailure(_ error: any Error) -> Failure {
        Failure(
            error: MetronomeError(kind: .transient, endpoint: endpoint, detail: Self.transportReason(error)),
            serverDelay: nil
        )
    }

    func excerpt(_ body: [UInt8]) -> String {
        ResponseExcerpt.make(body, token: token)
    }

    /// The error body's `message`, or an excerpt when the body is not the documented shape.
    func message(in body: [UInt8]) -> String {
        if let decoded = try? JSONDecoder().decode(MetronomeErrorBody.self, from: Data(body)),
            let message = decoded.message
        {
            return ResponseExcerpt.make(Array(message.utf8), token: token)
        }
        return excerpt(body)
    }

    /// A short description of a decoding error: what was expected where, without values.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "undecodable body" }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "expected \(type) at \(path(context.codingPath))"
        case .valueNotFound(let type, let context):
            return "missing \(type) value at \(path(context.codingPath))"
        case .keyNotFound(let key, let context):
            return "missing key \(path(context.codingPath + [key]))"
        case .dataCorrupted(let context):
            return "invalid value at \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "undecodable body"
        }
    }

    /// A short name for a transport error. Errors from NIO and async-http-client describe the
    /// failure (reset, timeout, refused), never the request's headers, so their text is safe.
    static func transportReason(_ error: any Error) -> String {
        let name = String(describing: type(of: error))
        let text = String(describing: error)
        return "\(name): \(text.prefix(120))"
    }
}
