import Foundation
import Importer
import Metronome
import Testing

@Suite("Revenue arithmetic", .timeLimit(.minutes(5)))
struct RevenueTests {
    let usd = CreditType(id: RevenueUnits.usdCentsID, name: "USD (cents)", isCurrency: true)
    let eur = CreditType(id: "eur-id", name: "EUR", isCurrency: true)
    let window = DayRange(start: UTCDay("2026-01-01")!, end: UTCDay("2026-02-01")!)

    func breakdown(
        day: String, status: InvoiceStatus = .finalized, creditType: CreditType, total: String, lines: [InvoiceLineItem]
    ) -> InvoiceBreakdown {
        let start = UTCDay(day)!.start
        let invoice = Invoice(
            id: UUID().uuidString, customerID: "c1", status: status, type: nil, creditType: creditType,
            total: Decimal(string: total)!, lineItems: lines)
        return InvoiceBreakdown(invoice: invoice, breakdownStartTimestamp: start, breakdownEndTimestamp: start.addingTimeInterval(86_400))
    }

    func line(_ total: String, type: LineItemType?, creditType: CreditType, applied: Bool = false) -> InvoiceLineItem {
        InvoiceLineItem(
            name: "line", type: type, total: Decimal(string: total)!, creditType: creditType,
            appliedCommitOrCredit: applied ? AppliedCommitOrCredit(id: "commit", type: "PREPAID") : nil)
    }

    @Test func invoiceTotalSumsNonVoidInvoicesPerDayInDollars() throws {
        var accumulator = RevenueAccumulator(creditTypeID: usd.id, basis: .invoiceTotal)
        try accumulator.add(breakdown(day: "2026-01-03", creditType: usd, total: "1234.5", lines: []), window: window)
        try accumulator.add(breakdown(day: "2026-01-03", status: .draft, creditType: usd, total: "100", lines: []), window: window)
        try accumulator.add(breakdown(day: "2026-01-03", status: .void, creditType: usd, total: "999", lines: []), window: window)
        try accumulator.add(breakdown(day: "2026-01-04", creditType: eur, total: "5", lines: []), window: window)
        try accumulator.add(breakdown(day: "2026-02-01", creditType: usd, total: "7", lines: []), window: window)
        let amounts = accumulator.dailyAmounts(creditTypeName: "USD (cents)")
        #expect(amounts.map(\.day) == [UTCDay("2026-01-03")!])
        #expect(amounts.map(\.amount) == [Decimal(string: "13.345")!])
    }

    @Test func grossUsageLeavesOutAppliedCommitsAndCredits() throws {
        var gross = RevenueAccumulator(creditTypeID: usd.id, basis: .grossUsage)
        var total = RevenueAccumulator(creditTypeID: usd.id, basis: .invoiceTotal)
        let prepaid = breakdown(
            day: "2026-01-05", creditType: usd, total: "0",
            lines: [
                line("3700", type: LineItemType(rawValue: "usage"), creditType: usd),
                line("-3700", type: LineItemType(rawValue: "applied_commit_or_credit"), creditType: usd),
                line("-50", type: LineItemType(rawValue: "usage"), creditType: usd, applied: true),
                line("250", type: LineItemType(rawValue: "scheduled"), creditType: usd),
            ])
        try gross.add(prepaid, window: window)
        try total.add(prepaid, window: window)
        #expect(gross.dailyAmounts(creditTypeName: "USD (cents)").map(\.amount) == [Decimal(string: "39.5")!])
        #expect(total.dailyAmounts(creditTypeName: "USD (cents)").map(\.amount) == [Decimal(0)])
    }

    @Test func otherCurrenciesStayInWholeUnits() throws {
        var accumulator = RevenueAccumulator(creditTypeID: eur.id, basis: .invoiceTotal)
        try accumulator.add(breakdown(day: "2026-01-09", creditType: eur, total: "12.75", lines: []), window: window)
        #expect(accumulator.dailyAmounts(creditTypeName: "EUR").map(\.amount) == [Decimal(string: "12.75")!])
    }

    /// Two amounts whose sum overflows a Decimal made NaN, which was stored. Now the sum is refused.
    @Test func anOverflowingSumIsRefusedNotStoredAsNaN() throws {
        var accumulator = RevenueAccumulator(creditTypeID: eur.id, basis: .invoiceTotal)
        let huge = String(repeating: "9", count: 38) + "e127"  // about 1e165; a Decimal holds up to about 3.4e165
        #expect(throws: RevenueAccumulator.Overflow.self) {
            for _ in 0..<5 {
                try accumulator.add(breakdown(day: "2026-01-09", creditType: eur, total: huge, lines: []), window: window)
            }
        }
        #expect(accumulator.dailyAmounts(creditTypeName: "EUR").allSatisfy { !$0.amount.isNaN })
    }
}
