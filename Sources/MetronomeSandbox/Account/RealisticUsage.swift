#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Daily usage of the realistic account (``AccountProfile/realistic``): what a customer of a cloud
/// product plausibly uses in a day, derived like every other value from a stable hash alone.
///
/// A value is the metric's typical weekday amount for a small customer, times the customer's size
/// (most are small, about a third medium, a few large), its growth since the first day of history
/// (−3 % to +10 % a month), the day of the week (weekends are quieter) and ±12 % noise. About one
/// customer in seven starts part-way through history and ramps up over two weeks; archived
/// customers stop using the product on the day they are archived. Small customers skip about one
/// day in fifty. Values are exact: thousandths for sums, whole numbers for counts and maxima.
struct RealisticUsage: Hashable, Sendable {
    /// Keeps these draws apart from every other hash of the same indices.
    static let customerDomain: UInt64 = 0x7265_616C_6375_7301
    static let dayDomain: UInt64 = 0x7265_616C_6461_7901

    /// One customer's traits.
    struct Customer: Hashable, Sendable {
        /// A multiplier of the metric's typical amount.
        let size: Double
        let monthlyGrowth: Double
        /// The first and last day offsets with usage.
        let firstDayOffset: Int
        let lastDayOffset: Int

        var isSmall: Bool { size < 2.5 }
    }

    static func customer(seed: UInt64, index: Int, dayCount: Int) -> Customer {
        var random = SeededGenerator(seed: SeededGenerator.mix(seed, customerDomain, UInt64(index)))
        let tier = random.unit()
        let spread = random.unit()
        let size =
            tier > 0.92 ? 15 + 45 * spread  // a few large customers
            : tier > 0.62 ? 3 + 5 * spread  // medium
            : 0.4 + 1.6 * spread  // small
        let monthlyGrowth = -0.03 + 0.13 * random.unit()
        let starts = random.unit()
        let firstDayOffset = index > 0 && dayCount >= 28 && starts < 0.15 ? random.int(in: 1...(dayCount / 2)) : 0
        // Archived customers (see AccountGenerator) churn: their usage ends on the day they are archived.
        let lastDayOffset = AccountGenerator.isArchived(index) ? dayCount - 1 - AccountGenerator.archivedDaysAgo(index) : dayCount - 1
        return Customer(size: size, monthlyGrowth: monthlyGrowth, firstDayOffset: firstDayOffset, lastDayOffset: lastDayOffset)
    }

    /// The value of one (customer, metric, day); nil for a day without events. `customer` is the
    /// traits of the customer at `index`.
    static func quantity(
        seed: UInt64, customer index: Int, _ customer: Customer, metric: Int, aggregation: MetricAggregation,
        typical: Double, dayOffset: Int, day: Int
    ) -> UsageQuantity? {
        guard dayOffset >= customer.firstDayOffset, dayOffset <= customer.lastDayOffset else { return nil }
        var random = SeededGenerator(
            seed: SeededGenerator.mix(seed, dayDomain, UInt64(index), UInt64(metric), UInt64(bitPattern: Int64(day))))
        if customer.isSmall, random.unit() < 0.02 { return nil }
        // 1970-01-01 was a Thursday: 0 is Monday.
        let weekday = ((day + 3) % 7 + 7) % 7
        let weekend = aggregation == .max ? 0.8 : 0.5
        let week = weekday >= 5 ? weekend : 1.0
        let growth = pow(1 + customer.monthlyGrowth, Double(dayOffset) / 30.4)
        let rampUp = min(1, Double(dayOffset - customer.firstDayOffset + 1) / 14)
        let noise = 0.88 + 0.24 * random.unit()
        let amount = typical * customer.size * growth * week * rampUp * noise
        switch aggregation {
        case .sum:
            return UsageQuantity(significand: max(1, Int64((amount * 1_000).rounded())), exponent: -3)
        case .count, .max:
            return UsageQuantity(significand: max(1, Int64(amount.rounded())), exponent: 0)
        }
    }
}
