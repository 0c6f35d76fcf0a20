public import Metronome
public import Foundation

/// Splits a cost report's cost between customers, day by day (pure: no I/O).
///
/// Cost tagged with a customer goes to that customer. The rest is shared and split by each customer's
/// share of that day's usage: `share_c = usage_c / Σ usage × S`. A day with shared cost but no usage
/// keeps its cost in an explicit unallocated bucket. Shares are rounded to ``scale`` places and the
/// day's rounding remainder goes to the customer with the most usage (ties: the smallest id), so the
/// allocation adds up to the cost exactly: nothing lost, nothing invented.
public struct CostAllocator: Sendable {
    public static let scale = 10

    /// Cost of one day: tagged per customer id, and shared.
    public struct DayCost: Sendable, Equatable {
        public var direct: [String: Decimal] = [:]
        public var shared: Decimal = 0
        public init(direct: [String: Decimal] = [:], shared: Decimal = 0) {
            self.direct = direct
            self.shared = shared
        }
    }

    /// One customer's part of one day.
    public struct DayAllocation: Sendable, Equatable {
        public var day: UTCDay
        public var customerID: String
        public var usage: Decimal
        public var usageShare: Decimal?
        public var direct: Decimal
        public var shared: Decimal
    }

    /// One customer's totals over the period.
    public struct CustomerTotals: Sendable, Equatable {
        public var customerID: String
        public var direct: Decimal = 0
        public var shared: Decimal = 0
        public var units: Decimal = 0
        public var cogs: Decimal { direct + shared }
    }

    public struct Result: Sendable, Equatable {
        public var days: [DayAllocation]
        public var customers: [CustomerTotals]
        /// Shared cost of days without usage, per day.
        public var unallocatedByDay: [UTCDay: Decimal]
        public var unallocated: Decimal { unallocatedByDay.values.reduce(0, +) }
        /// Everything allocated plus the unallocated bucket: equals the input's total cost.
        public var total: Decimal { customers.reduce(Decimal.zero) { $0 + $1.cogs } + unallocated }
    }

    public init() {}

    /// `cost` and `usage` are keyed by day; `usage[day][customer]` is that customer's units.
    public func allocate(cost: [UTCDay: DayCost], usage: [UTCDay: [String: Decimal]]) -> Result {
        var totals: [String: CustomerTotals] = [:]
        var days: [DayAllocation] = []
        var unallocated: [UTCDay: Decimal] = [:]
        let allDays = Set(cost.keys).union(usage.keys).sorted()
        for day in allDays {
            let dayUsage = usage[day] ?? [:]
            let dayCost = cost[day] ?? DayCost()
            let totalUsage = dayUsage.values.reduce(Decimal.zero, +)
            var shared: [String: Decimal] = [:]
            if !dayCost.shared.isZero {
                if totalUsage.isZero {
                    unallocated[day, default: 0] += dayCost.shared
                } else {
                    shared = Self.split(dayCost.shared, by: dayUsage, total: totalUsage)
                }
            }
            for customer in Set(dayUsage.keys).union(dayCost.direct.keys).sorted() {
                let units = dayUsage[customer] ?? 0
                let direct = dayCost.direct[customer] ?? 0
                let sharedPart = shared[customer] ?? 0
                totals[customer, default: CustomerTotals(customerID: customer)].direct += direct
                totals[customer, default: CustomerTotals(customerID: customer)].shared += sharedPart
                totals[customer, default: CustomerTotals(customerID: customer)].units += units
                days.append(
                    DayAllocation(
                        day: day, customerID: customer, usage: units,
                        usageShare: totalUsage.isZero ? nil : units / totalUsage, direct: direct, shared: sharedPart))
            }
        }
        return Result(
            days: days, customers: totals.values.sorted { $0.customerID < $1.customerID }, unallocatedByDay: unallocated)
    }

    /// `amount` split by `weights` (summing to `total`, non-zero); the parts add up to `amount` exactly.
    public static func split(_ amount: Decimal, by weights: [String: Decimal], total: Decimal) -> [String: Decimal] {
        var parts: [String: Decimal] = [:]
        var allocated = Decimal.zero
        for (customer, weight) in weights {
            let part = DecimalMath.rounded(amount * weight / total, scale: scale)
            parts[customer] = part
            allocated += part
        }
        let heaviest = weights.max { lhs, rhs in lhs.value == rhs.value ? lhs.key > rhs.key : lhs.value < rhs.value }!.key
        parts[heaviest, default: 0] += amount - allocated
        return parts
    }
}
