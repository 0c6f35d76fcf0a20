import AsyncHTTPClient
import Foundation
import NIOCore

/// Minimal HTTP for tests: status, headers and body text.
struct RawHTTP: Sendable {
    let client: HTTPClient
    let baseURL: String

    struct Answer: Sendable {
        let status: Int
        let headers: [String: String]
        let body: String

        /// The error message of a `{"message": ...}` body.
        var message: String? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["message"] as? String
        }

        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }

        var data: [[String: Any]] { ((json as? [String: Any])?["data"] as? [[String: Any]]) ?? [] }

        var nextPage: String? { (json as? [String: Any])?["next_page"] as? String }
    }

    func get(_ target: String, token: String? = SandboxTestSupport.token) async throws -> Answer {
        try await send("GET", target, body: nil, token: token)
    }

    func post(_ target: String, body: String, token: String? = SandboxTestSupport.token) async throws -> Answer {
        try await send("POST", target, body: body, token: token)
    }

    func send(_ method: String, _ target: String, body: String?, token: String?) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + target)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Answer(status: Int(response.status.code), headers: headers, body: String(buffer: buffer))
    }

    /// A usage body for whole days.
    static func usageBody(
        from: String,
        to: String,
        windowSize: String = "day",
        customerIDs: [String]? = nil,
        metricIDs: [String]? = nil
    ) -> String {
        var fields = [
            "\"window_size\":\"\(windowSize)\"", "\"starting_on\":\"\(from)\"", "\"ending_before\":\"\(to)\"",
        ]
        if let customerIDs {
            fields.append("\"customer_ids\":[\(customerIDs.map { "\"\($0)\"" }.joined(separator: ","))]")
        }
        if let metricIDs {
            fields.append("\"billable_metrics\":[\(metricIDs.map { "{\"id\":\"\($0)\"}" }.joined(separator: ","))]")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
