import ArgumentParser
import Logging

/// Where the sandbox listens and whom it lets in.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free port and prints it alone on the first line of stdout.")
    var port: Int = 8099

    @Option(
        name: .customLong("token"),
        help: """
            Bearer token to accept (repeatable). Each is an account of its own, with its own rate limit and \
            statistics; the first token's account has --seed, the others seeds derived from it and the token. \
            Default: sandbox-token.
            """)
    var tokens: [String] = []

    @Option(help: "Milliseconds added to every API answer, as a network's round trip would (e.g. 150).")
    var latencyMs: Double = 0

    @Option(help: "Up to this many milliseconds more per answer, drawn uniformly (e.g. 50).")
    var latencyJitterMs: Double = 0

    @Option(help: "Status for a missing or unknown token: 401 or 403 (Metronome answers both).")
    var unauthorizedStatus: Int = 401

    @Option(name: .customLong("log-level"), help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevelName: String = "info"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard latencyMs.isFinite, (0...60_000).contains(latencyMs) else { throw ValidationError("--latency-ms must be 0…60000") }
        guard latencyJitterMs.isFinite, (0...60_000).contains(latencyJitterMs) else {
            throw ValidationError("--latency-jitter-ms must be 0…60000")
        }
        guard unauthorizedStatus == 401 || unauthorizedStatus == 403 else {
            throw ValidationError("--unauthorized-status must be 401 or 403")
        }
        guard Logger.Level(rawValue: logLevelName) != nil else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
    }

    var logLevel: Logger.Level { Logger.Level(rawValue: logLevelName) ?? .info }
}
