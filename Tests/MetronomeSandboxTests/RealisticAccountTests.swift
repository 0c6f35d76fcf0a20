import Foundation
import MetronomeSandbox
import Testing

/// The realistic account, which `metronome-sandbox`, the demo and the console's screenshots serve:
/// plausible names and magnitudes, growth, weekly seasonality, churn and a few large customers, and
/// none of the adversarial account's hostile data.
@Suite("Realistic synthetic account", .timeLimit(.minutes(5)))
struct RealisticAccountTests {
    static let lastDay = CivilDay(year: 2026, month: 11, day: 29)!
    static let parameters = AccountParameters(
        seed: 2026, customerCount: 60, billableMetricCount: 8, dayCount: 180, lastDay: lastDay, profile: .realistic)
    static let account = AccountGenerator.generate(parameters)

    /// Every customer's values of one metric, by day offset (nil: no events).
    func series(customer: Int, metric: Int) -> [Decimal?] {
        (0..<Self.parameters.dayCount).map {
            Self.account.usageValue(customer: customer, metric: metric, day: Self.account.firstDay.adding(days: $0))
        }
    }

    @Test("names are distinct, printable and short; the adversarial account keeps its hostile ones")
    func names() {
        let names = Self.account.customers.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(!name.isEmpty && name.count <= 40, "\(name)")
            #expect(!name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.value == 0x202E })
            #expect(!name.contains("<") && !name.contains(";"), "\(name)")
        }
        let many = AccountGenerator.generate(
            AccountParameters(customerCount: 700, billableMetricCount: 1, dayCount: 1, lastDay: Self.lastDay, profile: .realistic))
        #expect(Set(many.customers.map(\.name)).count == 700)
        let adversarial = AccountGenerator.generate(
            AccountParameters(seed: 2026, customerCount: 30, billableMetricCount: 2, dayCount: 5, lastDay: Self.lastDay))
        #expect(adversarial.customers.contains { $0.name.contains("DROP TABLE") })
        #expect(adversarial.customers.contains { $0.name.count == 10_000 })
    }

    @Test("no negative usage, and daily amounts of a plausible size")
    func magnitudes() {
        // The highest a customer could plausibly use in a day, per metric template.
        let ceilings: [Decimal] = [60_000, 20_000, 100_000_000, 10_000, 1_000_000, 300_000, 2_000_000_000, 40_000]
        for metric in Self.account.metrics {
            let values = Self.account.customers.indices.flatMap { series(customer: $0, metric: metric.index) }
                .compactMap { $0 }
            #expect(!values.isEmpty)
            #expect(values.allSatisfy { $0 > 0 && $0 <= ceilings[metric.index] }, "\(metric.name): \(values.max()!)")
        }
        // Revenue: a customer's daily usage invoice stays between cents and a few thousand dollars.
        for customer in Self.account.customers where customer.currency == .usdCents && !customer.hasPrepaidCommit {
            for offset in stride(from: 0, to: Self.parameters.dayCount, by: 7) {
                let day = Self.account.firstDay.adding(days: offset)
                let cents = Self.account.invoicesByCustomer[customer.index]
                    .filter { $0.type == "USAGE" && $0.status != "VOID" && $0.creditType == .usdCents }
                    .compactMap { $0.window(on: day) }.flatMap(\.lineItems).reduce(Decimal(0)) { $0 + $1.total }
                #expect(cents >= 0 && cents < 1_500_000, "\(customer.name) on \(day): \(cents) cents")
            }
        }
    }

    @Test("a few customers are far larger than the median one")
    func largeCustomers() {
        let totals = Self.account.customers.indices.map { customer in
            series(customer: customer, metric: 0).compactMap { $0 }.reduce(Decimal(0), +)
        }.filter { $0 > 0 }.sorted()
        let median = totals[totals.count / 2]
        let large = totals.filter { $0 > median * 6 }
        #expect(large.count >= 2 && large.count <= totals.count / 5, "\(large.count) of \(totals.count)")
    }

    @Test("weekends are quieter than weekdays, and usage grows on the whole")
    func seasonalityAndGrowth() {
        var weekday = Decimal(0), weekend = Decimal(0), firstMonth = Decimal(0), lastMonth = Decimal(0)
        for customer in Self.account.customers.indices {
            for (offset, value) in series(customer: customer, metric: 0).enumerated() {
                guard let value else { continue }
                // 1970-01-01 was a Thursday.
                let day = Self.account.firstDay.adding(days: offset).daysSinceEpoch
                if (day + 3) % 7 >= 5 { weekend += value } else { weekday += value }
                if offset < 30 { firstMonth += value }
                if offset >= Self.parameters.dayCount - 30 { lastMonth += value }
            }
        }
        // Five weekdays to two weekend days, at half the use: about 5 : 1.
        #expect(weekday > weekend * 4)
        #expect(lastMonth > firstMonth * Decimal(1.1), "\(firstMonth) → \(lastMonth)")
    }

    @Test("archived customers stop using the product; some customers start part-way")
    func churnAndNewCustomers() {
        for customer in Self.account.customers where customer.isArchived {
            let archivedDay = CivilDay(containingUnixSeconds: customer.archivedAt!.seconds)
            let offset = archivedDay.daysSinceEpoch - Self.account.firstDay.daysSinceEpoch
            let after = series(customer: customer.index, metric: 0).dropFirst(offset + 1)
            #expect(after.allSatisfy { $0 == nil }, "\(customer.name) used the product after \(archivedDay)")
        }
        let startsLate = Self.account.customers.indices.filter { series(customer: $0, metric: 0).prefix(7).allSatisfy { $0 == nil } }
        #expect(!startsLate.isEmpty)
        #expect(Self.account.customers.contains { $0.isArchived })
    }

    @Test("the truth of a realistic account is exact like any other")
    func truth() {
        let rows = TruthCalculator.rows(for: Self.account)
        #expect(!rows.isEmpty)
        #expect(TruthCalculator.rows(for: AccountGenerator.generate(Self.parameters)) == rows)
    }
}
