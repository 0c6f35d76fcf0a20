import ArgumentParser
import MetronomeSandbox

/// The fault-injection flags: each a rate in 0...1 of API requests.
struct FaultOptions: ParsableArguments {
    @Option(name: .customLong("fault-5xx-rate"), help: "Rate of 500/502/503 answers (JSON or HTML body).")
    var fault5xxRate: Double = 0

    @Option(help: "Rate of slow answers (see --fault-slow-ms).")
    var faultSlowRate: Double = 0

    @Option(help: "Delay of a slow answer, in milliseconds.")
    var faultSlowMs: Int = 2000

    @Option(help: "Rate of connections closed without an answer.")
    var faultDropRate: Double = 0

    @Option(help: "Rate of 200 answers with a truncated or non-JSON body.")
    var faultMalformedRate: Double = 0

    @Option(help: "Rate of list pages replaced by an empty page that still carries a cursor.")
    var faultEmptyPageRate: Double = 0

    @Option(
        help:
            "Rate of usage and breakdown items whose timestamps use another RFC 3339 variant (.000Z, +00:00, +01:00, ...)."
    )
    var mixedTimestampRate: Double = 0

    @Option(help: "Rate of pages requested with a cursor that answer with that same cursor (a looping server).")
    var faultRepeatCursorRate: Double = 0

    @Option(
        name: .customLong("fault-429-rate"),
        help: "Rate of 429 answers whatever the rate limit says, Retry-After in seconds, as an HTTP-date or absent (a storm).")
    var fault429Rate: Double = 0

    @Flag(help: "Add an unknown field to every JSON object and answer some enum fields with values from the future.")
    var faultSchemaDrift = false

    @Option(help: "Seed of the fault draws.")
    var faultSeed: UInt64 = 7

    func validate() throws {
        let rates = [
            fault5xxRate, faultSlowRate, faultDropRate, faultMalformedRate, faultEmptyPageRate, mixedTimestampRate,
            faultRepeatCursorRate, fault429Rate,
        ]
        guard rates.allSatisfy({ (0...1).contains($0) }) else { throw ValidationError("fault rates must be in 0...1") }
        guard faultSlowMs >= 0 else { throw ValidationError("--fault-slow-ms must be 0 or more") }
    }

    var configuration: FaultConfiguration {
        FaultConfiguration(
            serverErrorRate: fault5xxRate,
            slowRate: faultSlowRate,
            slowDelay: .milliseconds(faultSlowMs),
            dropRate: faultDropRate,
            malformedRate: faultMalformedRate,
            emptyPageRate: faultEmptyPageRate,
            mixedTimestampRate: mixedTimestampRate,
            repeatCursorRate: faultRepeatCursorRate,
            rateLimitedRate: fault429Rate,
            schemaDrift: faultSchemaDrift,
            seed: faultSeed
        )
    }
}
