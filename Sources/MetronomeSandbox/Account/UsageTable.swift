#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Daily usage of every (customer, metric, day), stored flat, with each value also pre-rendered as
/// its JSON text so serving a 200-window page is string concatenation, not number formatting.
public struct UsageTable: Sendable {
    public let customerCount: Int
    public let metricCount: Int
    public let dayCount: Int
    /// `nil` = no events that day.
    private let values: [Decimal?]
    /// `null` or the exact number, as written on the wire.
    private let jsonTexts: [String]

    init(customerCount: Int, metricCount: Int, dayCount: Int, values: [Decimal?]) {
        precondition(values.count == customerCount * metricCount * dayCount)
        self.customerCount = customerCount
        self.metricCount = metricCount
        self.dayCount = dayCount
        self.values = values
        self.jsonTexts = values.map { $0.map { "\($0)" } ?? "null" }
    }

    func offset(customer: Int, metric: Int, dayOffset: Int) -> Int {
        (customer * metricCount + metric) * dayCount + dayOffset
    }

    /// The value for a day offset from the first day; nil outside history or without events.
    public func value(customer: Int, metric: Int, dayOffset: Int) -> Decimal? {
        guard dayOffset >= 0, dayOffset < dayCount else { return nil }
        return values[offset(customer: customer, metric: metric, dayOffset: dayOffset)]
    }

    /// The JSON text of ``value(customer:metric:dayOffset:)``.
    public func jsonText(customer: Int, metric: Int, dayOffset: Int) -> String {
        guard dayOffset >= 0, dayOffset < dayCount else { return "null" }
        return jsonTexts[offset(customer: customer, metric: metric, dayOffset: dayOffset)]
    }
}
