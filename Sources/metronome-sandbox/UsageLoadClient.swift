import AsyncHTTPClient
import NIOCore

/// A load generator for `POST /v1/usage` that never decodes a response: it checks the status,
/// counts bytes, and finds `next_page` by scanning the end of the body, so the measurement is the
/// sandbox's speed, not a JSON decoder's.
struct UsageLoadClient: Sendable {
    let baseURL: String
    let token: String
    let customerIDs: [String]
    let startingOn: String
    let endingBefore: String

    struct Result: Sendable {
        var pages = 0
        var bytes = 0
        var failures = 0
        var elapsedSeconds = 0.0
    }

    func run(concurrency: Int, duration: Duration) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + duration
        do {
            var total = try await withThrowingTaskGroup(of: Result.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        try await walk(worker: worker, concurrency: concurrency, client: client, until: deadline)
                    }
                }
                var total = Result()
                for try await partial in group {
                    total.pages += partial.pages
                    total.bytes += partial.bytes
                    total.failures += partial.failures
                }
                return total
            }
            let elapsed = clock.now - started
            total.elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            try await client.shutdown()
            return total
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func walk(worker: Int, concurrency: Int, client: HTTPClient, until deadline: ContinuousClock.Instant)
        async throws -> Result
    {
        var result = Result()
        var customer = worker % customerIDs.count
        var cursor: String?
        while ContinuousClock.now < deadline {
            let body =
                "{\"window_size\":\"DAY\",\"starting_on\":\"\(startingOn)\",\"ending_before\":\"\(endingBefore)\","
                + "\"customer_ids\":[\"\(customerIDs[customer])\"]}"
            var request = HTTPClientRequest(url: baseURL + "/v1/usage" + (cursor.map { "?next_page=\($0)" } ?? ""))
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await client.execute(request, timeout: .seconds(30))
            let buffer = try await response.body.collect(upTo: 64 << 20)
            guard response.status == .ok, buffer.readableBytes > 0 else {
                result.failures += 1
                cursor = nil
                continue
            }
            result.pages += 1
            result.bytes += buffer.readableBytes
            cursor = Self.nextCursor(in: buffer)
            if cursor == nil { customer = (customer + concurrency) % customerIDs.count }
        }
        return result
    }

    /// The `next_page` string from the tail of the body, nil for `null`. The sandbox writes
    /// `next_page` last, so only the final bytes are scanned.
    static func nextCursor(in buffer: ByteBuffer) -> String? {
        let tailLength = min(buffer.readableBytes, 256)
        guard
            let tail = buffer.getString(at: buffer.readerIndex + buffer.readableBytes - tailLength, length: tailLength),
            let marker = tail.ranges(of: "\"next_page\":\"").last
        else { return nil }
        let rest = tail[marker.upperBound...]
        guard let quote = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<quote])
    }
}
