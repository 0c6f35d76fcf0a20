/// A sandbox that is listening: where to reach it, and its live state.
public struct RunningSandbox: Sendable {
    public let sandbox: MetronomeSandbox
    public let host: String
    /// The bound port (never 0).
    public let port: Int

    /// `http://host:port`, the base URL to give a Metronome client.
    public var baseURL: String { "http://\(host):\(port)" }
    public var stats: SandboxStatsSnapshot { sandbox.stats }
    public var account: SandboxAccount { sandbox.account }
    /// The counters of one token's requests.
    public func stats(token: String) -> SandboxStatsSnapshot { sandbox.stats(token: token) }
}
