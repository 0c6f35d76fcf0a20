/// What the synthetic account is generated from. The same parameters always give the same account.
public struct AccountParameters: Hashable, Sendable {
    public var seed: UInt64
    public var customerCount: Int
    public var billableMetricCount: Int
    /// Days of history, ending on ``lastDay`` inclusive.
    public var dayCount: Int
    /// The last day of history (today, UTC, unless pinned for reproducibility).
    public var lastDay: CivilDay

    public init(
        seed: UInt64 = 42, customerCount: Int = 24, billableMetricCount: Int = 6, dayCount: Int = 120, lastDay: CivilDay
    ) {
        self.seed = seed
        self.customerCount = customerCount
        self.billableMetricCount = billableMetricCount
        self.dayCount = dayCount
        self.lastDay = lastDay
    }

    public var firstDay: CivilDay { lastDay.adding(days: -(dayCount - 1)) }
}
