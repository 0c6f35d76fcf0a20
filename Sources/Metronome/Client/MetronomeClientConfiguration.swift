/// How a ``MetronomeClient`` reaches Metronome. Its description never shows the token.
public struct MetronomeClientConfiguration: Sendable {
    /// Scheme, host and optional port, e.g. `https://api.metronome.com` or the sandbox's
    /// `http://127.0.0.1:8099`. Paths (`/v1/...`) are appended to it.
    public var baseURL: String
    public var token: MetronomeToken
    /// Time allowed to open a connection.
    public var connectTimeout: Duration
    /// Time allowed for one attempt, from sending to the last body byte.
    public var requestTimeout: Duration
    public var retryPolicy: RetryPolicy
    /// The most pages one walk may fetch before it fails: a server looping through fresh cursors
    /// would otherwise page forever.
    public var maxPages: Int
    /// Responses larger than this are refused rather than buffered.
    public var maxResponseBytes: Int
    /// `meterbridge/<version>`.
    public var userAgent: String
    /// How the client waits between retries. Replaceable so tests can record delays instead of
    /// sleeping through them.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// The source of jitter, a value in `0...1`.
    public var random: @Sendable () -> Double

    public init(
        baseURL: String = "https://api.metronome.com",
        token: MetronomeToken,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(60),
        retryPolicy: RetryPolicy = RetryPolicy(),
        maxPages: Int = 100_000,
        maxResponseBytes: Int = 64 << 20,
        userAgent: String = "meterbridge/\(MeterBridgeVersion.current)",
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.baseURL = trimmed
        self.token = token
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.retryPolicy = retryPolicy
        self.maxPages = maxPages
        self.maxResponseBytes = maxResponseBytes
        self.userAgent = userAgent
        self.sleep = sleep
        self.random = random
    }
}

extension MetronomeClientConfiguration: CustomStringConvertible {
    public var description: String {
        "MetronomeClientConfiguration(baseURL: \(baseURL), token: <redacted>, connectTimeout: \(connectTimeout), "
            + "requestTimeout: \(requestTimeout), maxRetries: \(retryPolicy.maxRetries), maxPages: \(maxPages))"
    }
}
