/// Keeps a connection's recurring requests (the daily sync, the optional hot refresh, the catalog)
/// within a share of its request budget, by stretching the sync and hot intervals, so backfill always
/// keeps the rest. A sync costs one page per (customer, metric) pair whatever its lookback, so how
/// often it runs, not how far it looks back, decides what it costs.
public struct SyncBudget: Sendable, Equatable {
    /// Requests of one sync of every metric and batch of the connection.
    public var syncRequests: Int
    /// Requests of one hot refresh.
    public var hotRequests: Int
    /// Requests of one catalog refresh.
    public var catalogRequests: Int
    /// The connection's budget, requests per second.
    public var requestsPerSecond: Double
    /// Largest share of the budget the recurring requests may take, 0…1.
    public var share: Double
    public var syncIntervalSeconds: Double
    /// nil: no hot refresh.
    public var hotIntervalSeconds: Double?
    public var catalogIntervalSeconds: Double

    public init(
        syncRequests: Int, hotRequests: Int, catalogRequests: Int, requestsPerSecond: Double, share: Double,
        syncIntervalSeconds: Double, hotIntervalSeconds: Double?, catalogIntervalSeconds: Double
    ) {
        self.syncRequests = syncRequests
        self.hotRequests = hotRequests
        self.catalogRequests = catalogRequests
        self.requestsPerSecond = requestsPerSecond
        self.share = share
        self.syncIntervalSeconds = syncIntervalSeconds
        self.hotIntervalSeconds = hotIntervalSeconds
        self.catalogIntervalSeconds = catalogIntervalSeconds
    }

    public struct Schedule: Sendable, Equatable {
        /// The intervals in force: the configured ones, or longer when the budget share demanded it.
        public var syncIntervalSeconds: Double
        public var hotIntervalSeconds: Double?
        /// Whether the intervals were stretched to fit the share.
        public var stretched: Bool
        /// Recurring requests per day at these intervals.
        public var requestsPerDay: Double
        /// Their share of the day's budget, 0…1 (may exceed the configured share only when the catalog
        /// alone does).
        public var budgetShare: Double
    }

    static let day = 86_400.0

    /// Syncs of a day or more run on day boundaries (every ⌈interval / day⌉ days); shorter ones by time.
    static func effectivePeriod(_ seconds: Double) -> Double {
        seconds >= day ? (seconds / day).rounded(.up) * day : seconds
    }

    func requestsPerDay(sync: Double, hot: Double?) -> Double {
        Double(syncRequests) * Self.day / Self.effectivePeriod(sync)
            + (hot.map { Double(hotRequests) * Self.day / Self.effectivePeriod($0) } ?? 0)
            + Double(catalogRequests) * Self.day / catalogIntervalSeconds
    }

    public var schedule: Schedule {
        let budgetPerDay = requestsPerSecond * Self.day
        let allowed = budgetPerDay * share
        var sync = syncIntervalSeconds
        var hot = hotIntervalSeconds
        var perDay = requestsPerDay(sync: sync, hot: hot)
        var stretched = false
        if perDay > allowed, syncRequests + hotRequests > 0 {
            stretched = true
            // Stretch both intervals by one factor, then by whole days while rounding leaves it over.
            let catalog = Double(catalogRequests) * Self.day / catalogIntervalSeconds
            let refresh = perDay - catalog
            let factor = allowed > catalog ? refresh / (allowed - catalog) : Double.greatestFiniteMagnitude / 4
            sync = min(sync * factor, 365 * Self.day)
            hot = hot.map { min($0 * factor, 365 * Self.day) }
            perDay = requestsPerDay(sync: sync, hot: hot)
            sync = Self.effectivePeriod(sync)
            hot = hot.map(Self.effectivePeriod)
        } else {
            sync = Self.effectivePeriod(sync)
            hot = hot.map(Self.effectivePeriod)
        }
        return Schedule(
            syncIntervalSeconds: sync, hotIntervalSeconds: hot, stretched: stretched, requestsPerDay: perDay,
            budgetShare: budgetPerDay > 0 ? perDay / budgetPerDay : 1)
    }
}
