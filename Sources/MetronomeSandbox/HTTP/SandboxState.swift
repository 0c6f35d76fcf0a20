/// What a handler works with: one token's account, and what every token shares, the configuration and
/// the live counters, limiter and fault generator.
final class SandboxState: Sendable {
    let configuration: SandboxConfiguration
    /// The account of the token the request came with.
    let account: SandboxAccount
    let stats: SandboxStats
    let limiter: RateLimiter
    let faults: FaultInjector
    let stamps: DayStampCache

    init(configuration: SandboxConfiguration, account: SandboxAccount) {
        self.configuration = configuration
        self.account = account
        self.stats = SandboxStats()
        self.limiter = RateLimiter(rate: configuration.rateLimit)
        self.faults = FaultInjector(configuration: configuration.faults)
        self.stamps = DayStampCache(first: account.firstDay.adding(days: -400), last: account.lastDay.adding(days: 400))
    }

    /// Another token's view: its own account, everything else shared with `shared`.
    init(account: SandboxAccount, sharing shared: SandboxState) {
        self.configuration = shared.configuration
        self.account = account
        self.stats = shared.stats
        self.limiter = shared.limiter
        self.faults = shared.faults
        self.stamps = shared.stamps
    }

    /// The timestamp style for one item: `...Z` unless mixed timestamps are on and this item's
    /// stable hash falls under the rate (stable, so a re-served page is byte-identical).
    func timestampStyle(_ parts: UInt64...) -> TimestampStyle {
        let rate = configuration.faults.mixedTimestampRate
        guard rate > 0 else { return .zulu }
        var hash = configuration.faults.seed
        for part in parts { hash = SeededGenerator.mix(hash, part) }
        let draw = Double(hash >> 11) / Double(1 << 53)
        guard draw < rate else { return .zulu }
        let styles = TimestampStyle.allCases
        return styles[1 + Int(hash % UInt64(styles.count - 1))]
    }
}
