import Foundation
import Testing

@testable import MetronomeSandbox

@Suite("Truth calculation", .timeLimit(.minutes(5)))
struct TruthCalculatorTests {
    static let account = AccountGenerator.generate(
        AccountParameters(seed: 5, lastDay: CivilDay(year: 2026, month: 1, day: 31)!))

    @Test("usage rows exist for values, including 0, and not for null")
    func usage() {
        let account = Self.account
        let rows = TruthCalculator.rows(for: account, filter: TruthFilter(kind: .usage))
        var expected = 0
        for customer in account.customers.indices {
            for metric in account.metrics.indices {
                for day in 0..<account.parameters.dayCount
                where account.usage.value(customer: customer, metric: metric, dayOffset: day) != nil {
                    expected += 1
                }
            }
        }
        #expect(rows.count == expected)
        #expect(rows.contains { $0.value == 0 })
    }

    @Test("prepaid days: invoice total 0, gross usage the usage lines")
    func prepaid() throws {
        let customer = try #require(Self.account.customers.first { $0.hasPrepaidCommit && $0.currency == .usdCents })
        let rows = TruthCalculator.rows(
            for: Self.account,
            filter: TruthFilter(kind: .revenue, creditTypeID: SandboxCreditType.usdCents.id, customerID: customer.id)
        )
        let invoiceTotal = rows.filter { $0.basis == .invoiceTotal }
        let gross = rows.filter { $0.basis == .grossUsage }
        #expect(Set(invoiceTotal.map(\.day)) == Set(gross.map(\.day)))
        let usageDays = try #require(Self.account.invoicesByCustomer[customer.index].first { $0.type == "USAGE" })
        let window = try #require(usageDays.windows.first { $0.subtotal > 0 })
        #expect(
            invoiceTotal.first { $0.day == window.day }?.value
                == (customer.hasScheduledFees && window.day == window.day.firstOfMonth ? 499.995 : 0))
        #expect(gross.first { $0.day == window.day }?.value ?? 0 >= window.subtotal / 100)
    }

    @Test("VOID invoices are not revenue; USD is in dollars, EUR as given")
    func voidAndUnits() throws {
        let customer = try #require(Self.account.customers.first { $0.hasVoidInvoices && !$0.hasPrepaidCommit })
        let invoices = Self.account.invoicesByCustomer[customer.index]
        let void = try #require(invoices.first { $0.status == "VOID" })
        let day = try #require(void.windows.first { $0.total != 0 }).day
        let expected = invoices.filter { $0.status != "VOID" && $0.creditType == customer.currency }
            .flatMap(\.windows).filter { $0.day == day }.reduce(Decimal(0)) { $0 + $1.total }
        let divisor: Decimal = customer.currency == .usdCents ? 100 : 1
        let row = TruthCalculator.rows(
            for: Self.account,
            filter: TruthFilter(
                kind: .revenue, creditTypeID: customer.currency.id, basis: .invoiceTotal, customerID: customer.id,
                fromDay: day, toDay: day)
        )
        #expect(row.map(\.value) == [expected / divisor])
        #expect(TruthCalculator.divisor(for: .usdCents) == 100 && TruthCalculator.divisor(for: .euro) == 1)
    }
}
