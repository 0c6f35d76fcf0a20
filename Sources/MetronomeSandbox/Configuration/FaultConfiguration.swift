/// Fault injection: each fault fires on a fraction of API requests (0 = never, 1 = always).
/// `/__sandbox/*` is never faulted.
public struct FaultConfiguration: Hashable, Sendable {
    /// Answer 500, 502 or 503, with a JSON or an HTML body.
    public var serverErrorRate: Double
    /// Wait ``slowDelay`` before answering.
    public var slowRate: Double
    public var slowDelay: Duration
    /// Close the connection without answering.
    public var dropRate: Double
    /// Answer 200 with a truncated or non-JSON body, or cut the body short and close.
    public var malformedRate: Double
    /// Answer a list page with no items and a fresh cursor that leads to the real page.
    public var emptyPageRate: Double
    /// Answer a page requested with a cursor with that same cursor as `next_page`: a server stuck
    /// in a loop, which a client must detect rather than follow forever.
    public var repeatCursorRate: Double
    /// Write usage and breakdown timestamps in a random RFC 3339 variant instead of `...Z`.
    public var mixedTimestampRate: Double
    /// Answer 429 whatever the rate limit says, with `Retry-After` in seconds, as an HTTP-date, or
    /// absent (drawn per answer): a 429 storm that no client-side pacing could have avoided.
    public var rateLimitedRate: Double
    /// Add a field the client has never seen to every JSON object of an API answer, and answer enum
    /// fields that do not change a number (invoice `type`, a commit's `type`) with values from the future.
    public var schemaDrift: Bool
    /// Seeds the fault draws, independent of the account seed.
    public var seed: UInt64

    public init(
        serverErrorRate: Double = 0,
        slowRate: Double = 0,
        slowDelay: Duration = .seconds(2),
        dropRate: Double = 0,
        malformedRate: Double = 0,
        emptyPageRate: Double = 0,
        mixedTimestampRate: Double = 0,
        repeatCursorRate: Double = 0,
        rateLimitedRate: Double = 0,
        schemaDrift: Bool = false,
        seed: UInt64 = 7
    ) {
        self.rateLimitedRate = rateLimitedRate
        self.schemaDrift = schemaDrift
        self.repeatCursorRate = repeatCursorRate
        self.serverErrorRate = serverErrorRate
        self.slowRate = slowRate
        self.slowDelay = slowDelay
        self.dropRate = dropRate
        self.malformedRate = malformedRate
        self.emptyPageRate = emptyPageRate
        self.mixedTimestampRate = mixedTimestampRate
        self.seed = seed
    }

    /// True when no fault can fire.
    public var isQuiet: Bool {
        serverErrorRate == 0 && slowRate == 0 && dropRate == 0 && malformedRate == 0 && emptyPageRate == 0
            && repeatCursorRate == 0 && rateLimitedRate == 0
    }
}
