import ArgumentParser
import MetronomeSandbox

/// The flags for rate limiting, paging and validation.
struct LimitOptions: ParsableArguments {
    @Option(
        help:
            "Requests per second per token, shared by all endpoints (token bucket holding one second's worth). 0 turns limiting off."
    )
    var rateLimit: Double = 8

    @Option(
        help:
            "What a 429 carries: off, seconds (Retry-After: N), http-date (Retry-After: <date>) or ms (also retry-after-ms). 'on' means seconds."
    )
    var retryAfter: String = "seconds"

    @Option(help: "Most windows on one /v1/usage page (one customer and metric per page).")
    var usageWindowsPerPage: Int = 200

    @Option(help: "Page size of GET lists when the request has no limit.")
    var defaultPageSize: Int = 50

    @Flag(
        help:
            "Accept /v1/usage bounds that are not midnight UTC or less than a day apart (widened to midnights) instead of answering 400."
    )
    var lenientUsageBounds = false

    func validate() throws {
        guard rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 or more") }
        guard retryAfterMode != nil else {
            throw ValidationError("--retry-after must be off, on, seconds, http-date or ms")
        }
        guard (1...10_000).contains(usageWindowsPerPage) else {
            throw ValidationError("--usage-windows-per-page must be 1...10000")
        }
        guard (1...100).contains(defaultPageSize) else { throw ValidationError("--default-page-size must be 1...100") }
    }

    var retryAfterMode: RetryAfterMode? {
        retryAfter == "on" ? .seconds : RetryAfterMode(rawValue: retryAfter)
    }
}
