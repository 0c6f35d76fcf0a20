public import AsyncHTTPClient
public import Logging
import Metrics
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A client for the Metronome endpoints MeterBridge reads.
///
/// Every request: awaits the ``RequestPacer``, carries `Authorization: Bearer`, `User-Agent:
/// meterbridge/<version>` and a deadline, and is retried by the ``RetryPolicy`` on transient
/// failures and 429s. What still fails surfaces as a ``MetronomeError``. List endpoints return a
/// ``PageSequence``. The token never appears in logs or errors.
public struct MetronomeClient: Sendable {
    public let configuration: MetronomeClientConfiguration
    let httpClient: HTTPClient
    let pacer: any RequestPacer
    let logger: Logger

    /// - Parameters:
    ///   - httpClient: not owned; shut it down yourself. ``makeHTTPClient(for:)`` builds one with
    ///     the configuration's connect timeout.
    public init(
        configuration: MetronomeClientConfiguration,
        httpClient: HTTPClient,
        pacer: any RequestPacer = UnpacedRequests(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.pacer = pacer
        self.logger = logger
    }

    /// An `HTTPClient` with the configuration's connect timeout and no redirects.
    public static func makeHTTPClient(for configuration: MetronomeClientConfiguration) -> HTTPClient {
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(
            connect: .nanoseconds(configuration.connectTimeout.nanoseconds),
            read: .nanoseconds(configuration.requestTimeout.nanoseconds)
        )
        httpConfiguration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    }

    /// Runs `body` with a client that owns its `HTTPClient`, shutting it down afterwards.
    public static func withClient<Result: Sendable>(
        configuration: MetronomeClientConfiguration,
        pacer: any RequestPacer = UnpacedRequests(),
        logger: Logger,
        _ body: (MetronomeClient) async throws -> Result
    ) async throws -> Result {
        let httpClient = makeHTTPClient(for: configuration)
        let client = MetronomeClient(configuration: configuration, httpClient: httpClient, pacer: pacer, logger: logger)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        return result
    }

    // MARK: Sending

    /// Sends `request` under the retry policy and decodes the 2xx body as `Body`.
    func send<Body: Decodable>(_ request: MetronomeRequest, as _: Body.Type) async throws -> Body {
        let classifier = ResponseClassifier(endpoint: request.endpoint, token: configuration.token.secret)
        var retries = 0
        while true {
            try await pacer.awaitPermission()
            let failure: ResponseClassifier.Failure
            do {
                return try await attempt(request, classifier: classifier, as: Body.self)
            } catch let attemptFailure as ResponseClassifier.Failure {
                failure = attemptFailure
            }
            if case .rateLimited = failure.error.kind {
                await pacer.didReceiveRateLimit(retryAfter: failure.serverDelay)
            }
            let decision = configuration.retryPolicy.decide(
                after: failure.error,
                retriesSoFar: retries,
                serverDelay: failure.serverDelay,
                random: configuration.random()
            )
            guard case .retry(let delay) = decision else {
                if failure.error.isRetryable {
                    logger.warning(
                        "Metronome request failed after retries",
                        metadata: metadata(request, failure.error, retries: retries)
                    )
                }
                throw failure.error
            }
            var retryMetadata = metadata(request, failure.error, retries: retries)
            retryMetadata["metronome.retry.delay_ms"] = "\(Int(delay.seconds * 1000))"
            logger.info("Retrying Metronome request", metadata: retryMetadata)
            try await configuration.sleep(delay)
            retries += 1
        }
    }

    /// One attempt. Throws only ``ResponseClassifier/Failure`` or `CancellationError`.
    private func attempt<Body: Decodable>(
        _ request: MetronomeRequest,
        classifier: ResponseClassifier,
        as _: Body.Type
    ) async throws -> Body {
        var httpRequest = HTTPClientRequest(url: configuration.baseURL + request.target)
        httpRequest.method = request.method == .post ? .POST : .GET
        httpRequest.headers.add(name: "Authorization", value: "Bearer \(configuration.token.secret)")
        httpRequest.headers.add(name: "User-Agent", value: configuration.userAgent)
        httpRequest.headers.add(name: "Accept", value: "application/json")
        if let jsonBody = request.jsonBody {
            httpRequest.headers.add(name: "Content-Type", value: "application/json")
            httpRequest.body = .bytes(ByteBuffer(bytes: jsonBody))
        }

        let started = ContinuousClock.now
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer
        do {
            let response = try await httpClient.execute(
                httpRequest,
                timeout: .nanoseconds(configuration.requestTimeout.nanoseconds),
                logger: nil
            )
            status = Int(response.status.code)
            headers = response.headers
            body = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw ResponseClassifier.Failure(
                error: MetronomeError(
                    kind: .decoding,
                    endpoint: request.endpoint,
                    detail: "response larger than \(configuration.maxResponseBytes) bytes"
                ),
                serverDelay: nil
            )
        } catch {
            try Task.checkCancellation()
            Self.countRequest(request, status: "error")
            throw classifier.transportFailure(error)
        }
        Self.countRequest(request, status: String(status))

        logger.debug(
            "Metronome response",
            metadata: [
                "metronome.endpoint": "\(request.endpoint)",
                "http.status": "\(status)",
                "http.duration_ms": "\(Int((ContinuousClock.now - started).seconds * 1000))",
                "http.response_bytes": "\(body.readableBytes)",
            ]
        )

        guard (200..<300).contains(status) else {
            let hintMilliseconds = headers.first(name: "retry-after-ms")
            let hint = headers.first(name: "retry-after")
            let serverDelay = RetryAfter.delay(retryAfterMilliseconds: hintMilliseconds, retryAfter: hint, now: Date())
            if serverDelay == nil, hintMilliseconds != nil || hint != nil {
                logger.warning(
                    "ignoring a Retry-After hint that is not a delay of at most an hour; the normal backoff applies",
                    metadata: [
                        "metronome.endpoint": "\(request.endpoint)", "http.status": "\(status)",
                        "http.retry_after": "\(String((hint ?? "").prefix(64)))",
                        "http.retry_after_ms": "\(String((hintMilliseconds ?? "").prefix(64)))",
                    ])
            }
            throw classifier.failure(status: status, body: Array(body.readableBytesView), serverDelay: serverDelay)
        }
        // Decoded where it was received: a large page is held once, not copied into an array and a `Data`.
        do {
            return try body.withUnsafeReadableBytes { bytes in
                // A reader takes no page with a number too long to keep exactly; for any other page the
                // guard looks for one before the decoder, which would round it.
                if let readable = Body.self as? any ReadableFromBytes.Type, let body = readable.read(bytes) as? Body {
                    return body
                }
                if let overlong = JSONNumberGuard.firstOverlongNumber(in: bytes) {
                    throw MetronomeError(
                        kind: .decoding, endpoint: request.endpoint, status: status,
                        detail: "a number has \(overlong.digits) significant digits (at byte \(overlong.offset)); "
                            + "more than \(JSONNumberGuard.maximumDigits) cannot be kept exactly, so the page is refused")
                }
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    return try MetronomeJSON.makeDecoder().decode(Body.self, from: Data())
                }
                let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
                return try MetronomeJSON.makeDecoder().decode(Body.self, from: data)
            }
        } catch let error as MetronomeError {
            throw ResponseClassifier.Failure(error: error, serverDelay: nil)
        } catch {
            throw classifier.decodingFailure(error, status: status, body: Array(body.readableBytesView))
        }
    }

    /// `meterbridge_metronome_requests_total{endpoint,status}` (the endpoint is method and path template,
    /// never an id or query).
    private static func countRequest(_ request: MetronomeRequest, status: String) {
        Counter(label: "meterbridge_metronome_requests_total", dimensions: [("endpoint", request.metricsEndpoint), ("status", status)])
            .increment()
    }

    private func metadata(_ request: MetronomeRequest, _ error: MetronomeError, retries: Int) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "metronome.endpoint": "\(request.endpoint)",
            "metronome.error.kind": "\(error.kindName)",
            "metronome.retry.attempt": "\(retries + 1)",
            "metronome.error.detail": "\(error.detail)",
        ]
        if let status = error.status { metadata["http.status"] = "\(status)" }
        return metadata
    }
}

extension Duration {
    /// Whole nanoseconds, for NIO's `TimeAmount`.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
