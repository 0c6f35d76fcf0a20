import Foundation
import MetronomeSandbox
import Testing

@Suite("Synthetic account", .timeLimit(.minutes(5)))
struct AccountGeneratorTests {
    static let parameters = AccountParameters(seed: 42, lastDay: CivilDay(year: 2026, month: 1, day: 31)!)
    static let account = AccountGenerator.generate(parameters)

    @Test("the same seed gives the same account; another seed another")
    func determinism() {
        let again = AccountGenerator.generate(Self.parameters)
        #expect(again.customers == Self.account.customers)
        #expect(again.metrics == Self.account.metrics)
        #expect(again.invoicesByCustomer == Self.account.invoicesByCustomer)
        #expect(TruthCalculator.rows(for: again) == TruthCalculator.rows(for: Self.account))
        var other = Self.parameters
        other.seed = 43
        let different = AccountGenerator.generate(other)
        #expect(different.customers.map(\.id) != Self.account.customers.map(\.id))
    }

    @Test("history ends on the last day and spans the requested days")
    func history() {
        #expect(Self.account.lastDay.description == "2026-01-31")
        #expect(Self.account.firstDay == Self.account.lastDay.adding(days: -119))
        #expect(Self.account.customers.count == 24 && Self.account.metrics.count == 6)
    }

    @Test("customers cover every nasty case")
    func customers() {
        let customers = Self.account.customers
        let names = customers.map(\.name)
        #expect(Set(names).count < names.count, "duplicate names")
        #expect(names.contains { $0.unicodeScalars.contains { !$0.isASCII } }, "non-ASCII names")
        #expect(names.contains(""), "an empty name")
        #expect(names.contains { $0.contains("\"") || $0.contains("\\") }, "characters JSON must escape")
        #expect(customers.contains { $0.ingestAliases.isEmpty })
        #expect(customers.contains { $0.ingestAliases.count > 1 })
        #expect(customers.contains(where: \.isArchived) && customers.contains { !$0.isArchived })
        #expect(Set(customers.map(\.currency.name)) == ["USD (cents)", "EUR"])
        #expect(customers.contains { $0.hasPrepaidCommit })
        #expect(Set(customers.map(\.id)).count == customers.count)
    }

    @Test("usage has nulls, zeros, fractions, negatives, large values and all three aggregations")
    func usage() {
        let account = Self.account
        #expect(Set(account.metrics.map(\.aggregation)) == [.sum, .count, .max])
        #expect(account.metrics.contains { $0.isArchived })
        #expect(Set(account.metrics.map(\.wireAggregationType)).count > 3, "mixed casing on the wire")
        var values: [Decimal?] = []
        for customer in account.customers.indices {
            for metric in account.metrics.indices {
                for day in 0..<account.parameters.dayCount {
                    values.append(account.usage.value(customer: customer, metric: metric, dayOffset: day))
                }
            }
        }
        let present = values.compactMap { $0 }
        #expect(values.contains { $0 == nil })
        #expect(present.contains(0))
        #expect(present.contains { $0 < 0 })
        #expect(present.contains { $0 != $0.rounded(0) })
        #expect(present.contains { $0 > 1_000_000_000_000 })
    }

    @Test("invoices: VOID, DRAFT and FINALIZED, several on a day, prepaid days totalling 0")
    func invoices() {
        let all = Self.account.invoicesByCustomer.flatMap { $0 }
        #expect(Set(all.map(\.status)) == ["VOID", "DRAFT", "FINALIZED"])
        #expect(Set(all.map(\.type)) == ["USAGE", "SCHEDULED"])
        #expect(Set(all.map(\.creditType.name)) == ["USD (cents)", "EUR", "cloud consumption units"])
        let severalOnOneDay = Self.account.invoicesByCustomer.contains { invoices in
            var perDay: [CivilDay: Int] = [:]
            for invoice in invoices where invoice.status != "VOID" {
                for window in invoice.windows { perDay[window.day, default: 0] += 1 }
            }
            return perDay.values.contains { $0 > 1 }
        }
        #expect(severalOnOneDay)
        let prepaid = Self.account.customers.first(where: \.hasPrepaidCommit)!
        let prepaidWindows = Self.account.invoicesByCustomer[prepaid.index].filter { $0.type == "USAGE" }.flatMap(
            \.windows)
        #expect(prepaidWindows.contains { $0.total == 0 && $0.subtotal > 0 })
        #expect(
            all.flatMap(\.windows).flatMap(\.lineItems).contains { $0.total != $0.total.rounded(0) }, "fractional cents"
        )
    }
}

extension Decimal {
    func rounded(_ scale: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return result
    }
}
