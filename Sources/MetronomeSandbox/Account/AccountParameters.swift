/// What the synthetic account is generated from. The same parameters always give the same account.
public struct AccountParameters: Hashable, Sendable {
    public var seed: UInt64
    public var customerCount: Int
    public var billableMetricCount: Int
    /// Days of history, ending on ``lastDay`` inclusive.
    public var dayCount: Int
    /// The last day of history (today, UTC, unless pinned for reproducibility).
    public var lastDay: CivilDay
    public var profile: AccountProfile

    /// `profile` defaults to ``AccountProfile/adversarial``: tests and benchmarks build accounts here,
    /// and each of their accounts should hold every nasty case. The `metronome-sandbox` executable
    /// serves ``AccountProfile/realistic`` unless told `--adversarial`.
    public init(
        seed: UInt64 = 42, customerCount: Int = 24, billableMetricCount: Int = 6, dayCount: Int = 120, lastDay: CivilDay,
        profile: AccountProfile = .adversarial
    ) {
        self.seed = seed
        self.customerCount = customerCount
        self.billableMetricCount = billableMetricCount
        self.dayCount = dayCount
        self.lastDay = lastDay
        self.profile = profile
    }

    public var firstDay: CivilDay { lastDay.adding(days: -(dayCount - 1)) }
}

/// What kind of data the synthetic account holds. Both have the same shape of billing (several
/// currencies, prepaid commits, scheduled fees, VOID invoices, custom pricing units, archived
/// customers and metrics); they differ in names and numbers.
public enum AccountProfile: String, Hashable, Sendable, CaseIterable {
    /// What a newcomer should see first: plausible company names, daily usage of plausible size
    /// (hours, requests, GB and dollars per customer per day), growth, weekly seasonality, churn,
    /// customers that start part-way through history, and a few large customers.
    case realistic
    /// What breaks a careless importer: hostile names (SQL, a NUL byte, right-to-left overrides,
    /// markup, 10,000 characters), duplicates and an empty name, a customer with values in the
    /// billions of billions, negative and zero usage, many days without events.
    case adversarial
}
