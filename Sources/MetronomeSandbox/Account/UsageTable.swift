#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Daily usage of every (customer, metric, day), computed when it is asked for.
///
/// Each value follows from a stable hash of (seed, customer index, metric index, day) alone, so the
/// table stores nothing: an account of any size starts at once, serving one day needs no other day,
/// and a day's value does not change with the number of customers, metrics or days generated.
public struct UsageTable: Hashable, Sendable {
    public let customerCount: Int
    public let metricCount: Int
    public let dayCount: Int
    let seed: UInt64
    let firstDay: CivilDay
    /// Indexed like the account's metrics.
    let aggregations: [MetricAggregation]
    /// Indexed like the account's metrics: a small customer's weekday amount (realistic profile).
    let typicalAmounts: [Double]
    let profile: AccountProfile
    /// Indexed like the account's customers: their traits in the realistic profile (empty otherwise),
    /// drawn once rather than for every value served.
    let realisticCustomers: [RealisticUsage.Customer]

    /// Keeps the usage draws apart from every other hash of the same indices (the active hour of
    /// hourly windows hashes (seed, customer, metric, day) too).
    static let domain: UInt64 = 0x7573_6167_6500_0001

    init(
        seed: UInt64, customerCount: Int, firstDay: CivilDay, dayCount: Int, aggregations: [MetricAggregation],
        typicalAmounts: [Double], profile: AccountProfile
    ) {
        self.seed = seed
        self.typicalAmounts = typicalAmounts
        self.profile = profile
        self.realisticCustomers =
            profile == .realistic
            ? (0..<customerCount).map { RealisticUsage.customer(seed: seed, index: $0, dayCount: dayCount) } : []
        self.customerCount = customerCount
        self.metricCount = aggregations.count
        self.dayCount = dayCount
        self.firstDay = firstDay
        self.aggregations = aggregations
    }

    /// Whether a customer ever uses a metric: every customer uses the first one, and about three in
    /// four use each other one. The others are `null` every day.
    static func uses(seed: UInt64, customer: Int, metric: Int) -> Bool {
        metric == 0 || SeededGenerator.mix(seed, UInt64(customer), UInt64(metric)) % 4 != 0
    }

    /// The value for a day offset from the first day; nil outside history or without events.
    public func value(customer: Int, metric: Int, dayOffset: Int) -> Decimal? {
        quantity(customer: customer, metric: metric, dayOffset: dayOffset)?.decimal
    }

    /// The JSON text of ``value(customer:metric:dayOffset:)``: `null` or the exact number.
    public func jsonText(customer: Int, metric: Int, dayOffset: Int) -> String {
        quantity(customer: customer, metric: metric, dayOffset: dayOffset)?.text ?? "null"
    }

    /// Realistic values follow ``RealisticUsage``. Adversarial ones: about 18% of days have no
    /// events; the rest follow the metric's aggregation, with zeros and negative sums; customer 1 has
    /// very large values, so amounts must not pass through `Double`.
    func quantity(customer: Int, metric: Int, dayOffset: Int) -> UsageQuantity? {
        guard customer >= 0, customer < customerCount, metric >= 0, metric < metricCount, dayOffset >= 0,
            dayOffset < dayCount, Self.uses(seed: seed, customer: customer, metric: metric)
        else { return nil }
        let day = firstDay.daysSinceEpoch + dayOffset
        if profile == .realistic {
            return RealisticUsage.quantity(
                seed: seed, customer: customer, realisticCustomers[customer], metric: metric,
                aggregation: aggregations[metric], typical: typicalAmounts[metric], dayOffset: dayOffset, day: day)
        }
        var random = SeededGenerator(
            seed: SeededGenerator.mix(
                seed, Self.domain, UInt64(customer), UInt64(metric), UInt64(bitPattern: Int64(day))))
        let draw = random.unit()
        guard draw >= 0.18 else { return nil }
        let scale = customer == 1 ? 9 : 0
        switch aggregations[metric] {
        case .count:
            return UsageQuantity(significand: Int64(random.int(in: 1...120_000)), exponent: scale)
        case .max:
            if draw < 0.21 { return .zero }
            let tenths = random.int(in: 10...5_000)
            // Whole numbers mostly, a fractional one now and then.
            return tenths % 3 == 0
                ? UsageQuantity(significand: Int64(tenths), exponent: -1)
                : UsageQuantity(significand: Int64(tenths / 10), exponent: 0)
        case .sum:
            if draw < 0.21 { return .zero }
            let thousandths = Int64(random.int(in: 1...5_000_000))
            return UsageQuantity(significand: draw > 0.985 ? -thousandths : thousandths, exponent: -3 + scale)
        }
    }
}
