import HTTPTypes
import Hummingbird
import NIOCore

/// Builds the sandbox's responses.
enum SandboxResponses {
    /// Carries the served-page key from a route to the gate middleware, which strips it.
    static let pageKeyHeader = HTTPField.Name("x-sandbox-page-key")!

    static func json(_ writer: JSONWriter, status: HTTPResponse.Status = .ok, pageKey: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let pageKey { headers[pageKeyHeader] = pageKey }
        let body = SchemaDrift.isOn && status == .ok ? SchemaDrift.apply(to: writer.buffer) : writer.buffer
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// A response whose body is written while it is produced, without a length (chunked).
    static func streamed(
        contentType: String,
        _ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType],
            body: ResponseBody { writer in
                try await write(&writer)
                try await writer.finish(nil)
            }
        )
    }

    static func message(_ message: String, status: Int) -> Response {
        var writer = JSONWriter(capacity: message.utf8.count + 16)
        writer.beginObject()
        writer.field("message", message)
        writer.endObject()
        return json(writer, status: HTTPResponse.Status(code: status))
    }

    /// `{"data": [], "next_page": cursor}`.
    static func emptyPage(nextCursor: String, pageKey: String) -> Response {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.key("data")
        writer.beginArray()
        writer.endArray()
        writer.field("next_page", nextCursor)
        writer.endObject()
        return json(writer, pageKey: pageKey)
    }
}
