import Metronome
import Foundation
import Testing
import UnitEconomics

@testable import MCPServer

@Suite("Metric value grouping")
struct MetricValueGroupingTests {
    static func value(_ day: String, _ customer: String, _ amount: Decimal) -> MetricValueGrouping.DailyValue {
        .init(day: UTCDay(day)!, label: customer.uppercased(), customerID: customer, amount: amount)
    }

    @Test(arguments: [
        ("2026-11-30", "2026-11-30"), ("2026-12-06", "2026-11-30"), ("2026-12-07", "2026-12-07"),
        ("2024-02-29", "2024-02-26"),
        ("1970-01-01", "1969-12-29"),
    ])
    func weeksStartOnMonday(day: String, monday: String) {
        #expect(MetricValueGrouping(bucket: .week, top: nil, gauge: false).start(of: UTCDay(day)!) == UTCDay(monday)!)
    }

    @Test func monthsStartOnTheFirst() {
        let grouping = MetricValueGrouping(bucket: .month, top: nil, gauge: false)
        #expect(grouping.start(of: UTCDay("2024-02-29")!) == UTCDay("2024-02-01")!)
        #expect(grouping.start(of: UTCDay("2026-12-31")!) == UTCDay("2026-12-01")!)
    }

    @Test func topCustomersAndTheRestInOneRow() {
        let values = [
            Self.value("2026-11-02", "a", 5), Self.value("2026-11-03", "a", 5), Self.value("2026-11-02", "b", 7),
            Self.value("2026-11-02", "c", 1), Self.value("2026-11-09", "c", 2), Self.value("2026-11-09", "d", 0.5),
        ]
        let result = MetricValueGrouping(bucket: .week, top: 2, gauge: false).group(values)
        #expect(
            result.rows == [
                .init(periodStart: UTCDay("2026-11-02")!, label: "A", customerID: "a", amount: 10),
                .init(periodStart: UTCDay("2026-11-02")!, label: "B", customerID: "b", amount: 7),
                .init(periodStart: UTCDay("2026-11-02")!, label: "(other: 2 customers)", customerID: nil, amount: 1),
                .init(periodStart: UTCDay("2026-11-09")!, label: "(other: 2 customers)", customerID: nil, amount: 2.5),
            ])
        #expect(result.total == 20.5 && result.customers == 4)
        #expect(result.formula.contains("other 2 summed"))
    }

    @Test func gaugesAreRankedByPeakAndNeverSummed() {
        let values = [
            Self.value("2026-11-02", "a", 5), Self.value("2026-11-03", "a", 9), Self.value("2026-11-02", "b", 7),
        ]
        let result = MetricValueGrouping(bucket: .day, top: 1, gauge: true).group(values)
        #expect(result.rows.map(\.customerID) == ["a", "a"])
        #expect(result.total == nil)
        #expect(result.formula.contains("never a sum"))
    }
}
