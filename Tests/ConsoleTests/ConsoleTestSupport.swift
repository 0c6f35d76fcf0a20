import Console
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import TestSupport
import Testing

/// A console over the fixture's database, driven in process through Hummingbird's test client.
struct ConsoleSession {
    let client: any TestClientProtocol
    var headers: HTTPFields = [:]

    static func run(
        _ fixture: ConsoleFixture, access: ConsoleConfiguration.Access = .open, readOnly: Bool = false,
        pool: PostgresConnectionPool? = nil, _ body: @Sendable (ConsoleSession) async throws -> Void
    ) async throws {
        let pool = pool ?? fixture.pool()
        let server = ConsoleServer(
            configuration: ConsoleConfiguration(host: "127.0.0.1", port: 0, access: access, readOnly: readOnly),
            pool: pool,
            logger: ConsoleFixture.logger)
        do {
            try await server.application().test(.router) { client in try await body(ConsoleSession(client: client)) }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers.append(contentsOf: extra)
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    func post(_ uri: String, _ fields: [(String, String)], headers extra: HTTPFields = [:]) async throws -> TestResponse
    {
        var headers = headers
        headers.append(contentsOf: extra)
        headers[.contentType] = "application/x-www-form-urlencoded"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(
            separator: "&")
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// The CSRF token the console puts in its forms (read from a page, as a browser would).
    func csrf() async throws -> String {
        let page = try await get("/login")
        return try #require(
            ConsoleSession.capture(#"name="csrf" value="([0-9a-f]{64})""#, in: String(buffer: page.body)))
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }
}

extension String {
    /// As the console's templates escape text.
    var htmlEscaped: String {
        replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// The `meterbridge` binary next to the test bundle, run against the fixture's schema.
enum MeterBridgeBinary {
    static func directory() throws -> URL { try BuiltBinary.directory() }

    typealias Run = BuiltBinary.Run

    static func run(_ arguments: [String], database: TestDatabase) throws -> Run {
        try run(arguments, schema: database.schema)
    }

    static func run(_ arguments: [String], schema: String?) throws -> Run {
        try BuiltBinary.run(
            try BuiltBinary.url("meterbridge"), arguments,
            environment: BuiltBinary.environment(schema: schema, extra: ["METERBRIDGE_SECRET_KEY": ConsoleFixture.key]))
    }

    /// The rows of a CSV the CLI printed (no quoted commas in the numbers the tests compare).
    static func csvRows(_ text: String) -> [[String]] {
        text.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
