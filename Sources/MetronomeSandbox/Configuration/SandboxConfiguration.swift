/// Everything the sandbox runs with. Defaults mirror what is known of the real API.
public struct SandboxConfiguration: Hashable, Sendable {
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Bearer tokens accepted; each has its own rate-limit bucket.
    public var tokens: [String]
    /// 401 or 403 for a missing or unknown token (Metronome has been seen answering both).
    public var unauthorizedStatus: Int
    public var account: AccountParameters
    /// Requests per second per token; 0 disables rate limiting.
    public var rateLimit: Double
    public var retryAfter: RetryAfterMode
    /// Most windows on one `/v1/usage` page (one (customer, metric) pair per page).
    public var usageWindowsPerPage: Int
    /// Page size of GET lists when `limit` is not given.
    public var defaultPageSize: Int
    /// Reject `/v1/usage` bounds that are not midnight UTC or less than a day apart, as integrators
    /// report Metronome does. Switchable because that behaviour is not documented.
    public var strictUsageBounds: Bool
    public var faults: FaultConfiguration

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        tokens: [String] = ["sandbox-token"],
        unauthorizedStatus: Int = 401,
        account: AccountParameters,
        rateLimit: Double = 8,
        retryAfter: RetryAfterMode = .seconds,
        usageWindowsPerPage: Int = 200,
        defaultPageSize: Int = 50,
        strictUsageBounds: Bool = true,
        faults: FaultConfiguration = FaultConfiguration()
    ) {
        self.host = host
        self.port = port
        self.tokens = tokens
        self.unauthorizedStatus = unauthorizedStatus
        self.account = account
        self.rateLimit = rateLimit
        self.retryAfter = retryAfter
        self.usageWindowsPerPage = usageWindowsPerPage
        self.defaultPageSize = defaultPageSize
        self.strictUsageBounds = strictUsageBounds
        self.faults = faults
    }

    /// Each token is an account of its own: the first token's is generated from ``account`` as it is,
    /// any other's from the same sizes and a seed of its own, derived from the seed and the token, so a
    /// token always gets the same account.
    public func accountParameters(forToken token: String) -> AccountParameters {
        guard token != tokens.first else { return account }
        var parameters = account
        parameters.seed = SeededGenerator.mix(account.seed, StableHash.fnv1a(token))
        return parameters
    }

    /// Added to every API answer: a network's round trip (0 on loopback).
    public var latency: Duration = .zero
    /// Up to this much more, drawn uniformly per answer.
    public var latencyJitter: Duration = .zero

    /// Breakdown pages hold at most this many daily windows, as Metronome documents.
    public static let breakdownDaysPerPage = 35
    /// ... or this many hourly windows.
    public static let breakdownHoursPerPage = 24
}
