import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Testing

@testable import Metronome

/// What a hostile or broken API can send: values the client must store exactly or refuse with a clear
/// error, never round, truncate or trap on.
@Suite("Hostile API values", .timeLimit(.minutes(2)))
struct HostileAPITests {
    static let logger = Logger(label: "hostile-api-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Serves `body` for every request on 127.0.0.1 while `test` runs with a client pointed at it.
    static func withServer<T: Sendable>(
        body: @escaping @Sendable () -> ByteBuffer, maxResponseBytes: Int = 64 << 20, _ test: @Sendable (MetronomeClient) async throws -> T
    ) async throws -> T {
        let router = Router()
        router.get("/v1/customers") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body())) }
        router.post("/v1/usage") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body())) }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            var configuration = MetronomeClientConfiguration(baseURL: "http://127.0.0.1:\(port)", token: MetronomeToken("hostile-token"))
            configuration.maxResponseBytes = maxResponseBytes
            configuration.retryPolicy.maxRetries = 0
            let result = try await MetronomeClient.withClient(configuration: configuration, logger: logger, test)
            group.cancelAll()
            return result
        }
    }

    static func usagePage(_ values: [String]) -> ByteBuffer {
        let items = values.enumerated().map { index, value in
            #"{"customer_id":"c\#(index)","billable_metric_id":"m","billable_metric_name":"m","start_timestamp":"2026-01-01T00:00:00Z","end_timestamp":"2026-01-02T00:00:00Z","value":\#(value)}"#
        }
        return ByteBuffer(string: #"{"data":[\#(items.joined(separator: ","))],"next_page":null}"#)
    }

    static func usage(_ client: MetronomeClient) async throws -> [Decimal?] {
        let window = try DayWindow(from: UTCDay("2026-01-01")!, through: UTCDay("2026-01-01")!)
        return try await client.usage(UsageQuery(window: window)).allItems().map(\.value)
    }

    @Test func extremeAmountsAreKeptExactly() async throws {
        let texts = ["1e30", "-0", "0.000000000000000000000000000000000001", "12345678901234567890123456789012345678", "-1E-7", #""42.5""#]
        let values = try await Self.withServer(body: { Self.usagePage(texts) }) { client in try await Self.usage(client) }
        let expected = ["1e30", "0", "0.000000000000000000000000000000000001", "12345678901234567890123456789012345678", "-0.0000001", "42.5"]
            .map { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
        #expect(values == expected)
    }

    /// 40 significant digits do not fit a Decimal: `JSONDecoder` would round them silently, so the page
    /// is refused, with the reason.
    @Test func anAmountTooPreciseToKeepIsRefused() async throws {
        for text in ["0.1234567890123456789012345678901234567890", "1234567890123456789012345678901234567890.5"] {
            let error = await #expect(throws: MetronomeError.self) {
                _ = try await Self.withServer(body: { Self.usagePage(["1", text]) }) { client in try await Self.usage(client) }
            }
            #expect(error?.kind == .decoding)
            #expect(error?.description.contains("significant digits") == true, "\(String(describing: error))")
        }
    }

    @Test(arguments: [#""NaN""#, #""Infinity""#, #""1,5""#, #""12abc""#, "true", "{}"])
    func anAmountThatIsNotANumberIsRefused(_ value: String) async throws {
        let error = await #expect(throws: MetronomeError.self) {
            _ = try await Self.withServer(body: { Self.usagePage([value]) }) { client in try await Self.usage(client) }
        }
        #expect(error?.kind == .decoding, "\(value): \(String(describing: error))")
        #expect(error?.description.contains("Expected a number") == true || error?.description.contains("value") == true)
    }

    /// Names arrive verbatim: quotes, SQL, a NUL, right-to-left text, combining marks, 10,000 characters.
    @Test func hostileNamesArriveVerbatim() async throws {
        let names = [
            "Robert'); DROP TABLE metric_values; --", "Nul\u{0}Byte", "شركة الاختبار", "\u{202E}Evil", "Z\u{0324}a\u{0308}lgo",
            "\"quoted\" \\ back", String(repeating: "x", count: 10_000),
        ]
        let json = try JSONSerialization.data(
            withJSONObject: ["data": names.enumerated().map { ["id": "c\($0.offset)", "name": $0.element, "ingest_aliases": [$0.element]] }])
        let received = try await Self.withServer(body: { ByteBuffer(bytes: json) }) { client in
            try await client.customers(CustomerListQuery()).allItems()
        }
        #expect(received.map(\.name) == names)
        #expect(received.map(\.ingestAliases) == names.map { [$0] })
    }

    /// A 60 MB page is read and decoded where it was received; one over the limit is refused with the
    /// limit in the message, without reading further.
    @Test func aSixtyMegabytePageIsReadOrRefusedClearly() async throws {
        let name = String(repeating: "n", count: 600_000)
        let customers = (0..<100).map { #"{"id":"c\#($0)","name":"\#(name)","ingest_aliases":[]}"# }
        let page = ByteBuffer(string: #"{"data":[\#(customers.joined(separator: ","))],"next_page":null}"#)
        #expect(page.readableBytes > 60_000_000)
        let received = try await Self.withServer(body: { page }) { client in
            try await client.customers(CustomerListQuery()).allItems().map { $0.name?.utf8.count ?? 0 }
        }
        #expect(received == Array(repeating: 600_000, count: 100))

        let error = await #expect(throws: MetronomeError.self) {
            _ = try await Self.withServer(body: { page }, maxResponseBytes: 32 << 20) { client in
                try await client.customers(CustomerListQuery()).allItems()
            }
        }
        #expect(error?.description.contains("larger than 33554432 bytes") == true, "\(String(describing: error))")
    }
}
