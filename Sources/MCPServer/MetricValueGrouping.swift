import Metronome
import Foundation
import UnitEconomics

/// Sums a metric's daily values per customer into days, ISO weeks or months, and keeps only the top N
/// customers. Pure: the `metric_values` tool feeds it rows and returns what it gives.
struct MetricValueGrouping: Sendable {
    enum Bucket: String, Sendable { case day, week, month }

    struct DailyValue: Sendable, Equatable {
        var day: UTCDay
        var label: String
        var customerID: String
        var amount: Decimal
    }

    struct Row: Sendable, Equatable {
        var periodStart: UTCDay
        var label: String
        /// nil for the "(other …)" row.
        var customerID: String?
        var amount: Decimal
    }

    struct Result: Sendable, Equatable {
        var rows: [Row]
        /// Σ of every value (nil for gauges, whose values are levels that must not be added).
        var total: Decimal?
        var customers: Int
        var formula: String
    }

    var bucket: Bucket
    var top: Int?
    /// MAX, UNIQUE and LATEST metrics: one level per day, never summed (callers allow only `.day`).
    var gauge: Bool

    /// The first day of the bucket holding `day`: itself, the Monday of its ISO week, or the 1st of its month.
    func start(of day: UTCDay) -> UTCDay {
        switch bucket {
        case .day: return day
        case .week:
            // 1970-01-01 was a Thursday: days + 3 counts from a Monday.
            let weekday = ((day.daysSinceEpoch + 3) % 7 + 7) % 7
            return day.advanced(by: -weekday)
        case .month:
            return day.firstOfMonth
        }
    }

    func group(_ values: [DailyValue]) -> Result {
        var totals: [String: Decimal] = [:]
        var labels: [String: String] = [:]
        for value in values {
            totals[value.customerID] =
                gauge
                ? max(totals[value.customerID] ?? value.amount, value.amount)
                : (totals[value.customerID] ?? 0) + value.amount
            labels[value.customerID] = value.label
        }
        let ranked = totals.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.map(\.key)
        let kept = Set(top.map { Array(ranked.prefix($0)) } ?? ranked)
        let others = ranked.count - kept.count
        let otherLabel = "(other: \(others) customer\(others == 1 ? "" : "s"))"
        var sums: [UTCDay: [String: Decimal]] = [:]
        var otherSums: [UTCDay: Decimal] = [:]
        for value in values {
            let start = start(of: value.day)
            if kept.contains(value.customerID) {
                sums[start, default: [:]][value.customerID, default: 0] += value.amount
            } else if !gauge {
                otherSums[start, default: 0] += value.amount
            }
        }
        var rows: [Row] = []
        for start in Set(sums.keys).union(otherSums.keys).sorted() {
            let customers = (sums[start] ?? [:]).sorted {
                (labels[$0.key] ?? $0.key, $0.key) < (labels[$1.key] ?? $1.key, $1.key)
            }
            rows += customers.map {
                Row(periodStart: start, label: labels[$0.key] ?? $0.key, customerID: $0.key, amount: $0.value)
            }
            if let other = otherSums[start] {
                rows.append(Row(periodStart: start, label: otherLabel, customerID: nil, amount: other))
            }
        }
        var formula =
            switch bucket {
            case .day: "amount = the day's imported value per customer"
            case .week:
                "amount = Σ daily values per customer over the ISO week starting period_start (Monday), within from…to"
            case .month:
                "amount = Σ daily values per customer over the calendar month starting period_start, within from…to"
            }
        if let top, others > 0 {
            formula +=
                gauge
                ? "; only the \(top) customers with the highest peak day (\(others) more left out: a gauge is not summed)"
                : "; the \(top) customers with the largest total, the other \(others) summed into \"\(otherLabel)\""
        }
        formula += gauge ? "; a gauge metric: each value is a level, never a sum." : "."
        return Result(
            rows: rows, total: gauge ? nil : values.reduce(Decimal.zero) { $0 + $1.amount }, customers: totals.count,
            formula: formula)
    }
}
