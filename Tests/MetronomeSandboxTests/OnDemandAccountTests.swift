import Foundation
import Metronome
import Testing

@testable import MetronomeSandbox

/// Usage and invoices are computed from the seed when asked for, never stored for the account.
@Suite("On-demand account", .timeLimit(.minutes(5)))
struct OnDemandAccountTests {
    /// 10,000 customers × 10 metrics × 3 years: 110 million usage days, which took minutes and
    /// gigabytes when they were precomputed.
    static let large = AccountParameters(
        seed: 42, customerCount: 10_000, billableMetricCount: 10, dayCount: 1_095, lastDay: SandboxTestSupport.lastDay)

    @Test("a 10,000 × 10 × 1,095 account is built without computing its usage or invoices")
    func largeAccountIsCheap() {
        var account: SandboxAccount?
        let elapsed = ContinuousClock().measure { account = AccountGenerator.generate(Self.large) }
        // Generous, for a debug build on a busy machine: building only customers and metrics takes
        // a fraction of a second, and precomputing the usage took minutes.
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        guard let account else { return }
        #expect(account.customers.count == 10_000 && account.metrics.count == 10)
        // Computed on demand, and the same on every demand.
        let again = AccountGenerator.generate(Self.large)
        let last = 9_999
        func usage(_ account: SandboxAccount) -> [Decimal?] {
            (0..<1_095).map { account.usage.value(customer: last, metric: 0, dayOffset: $0) }
        }
        #expect(again.customers[last] == account.customers[last])
        #expect(usage(again) == usage(account))
        #expect(usage(account).contains { $0 != nil })
        #expect(again.invoicesByCustomer[last] == account.invoicesByCustomer[last])
        #expect(account.invoicesByCustomer[last].count >= 36)
    }

    @Test("a day's usage does not depend on how many customers, metrics or days are generated")
    func valuesAreStable() {
        let small = AccountGenerator.generate(
            AccountParameters(
                seed: 9, customerCount: 8, billableMetricCount: 4, dayCount: 40, lastDay: SandboxTestSupport.lastDay))
        let bigger = AccountGenerator.generate(
            AccountParameters(
                seed: 9, customerCount: 30, billableMetricCount: 7, dayCount: 90, lastDay: SandboxTestSupport.lastDay))
        var compared = 0
        for customer in 0..<8 {
            // A metric's aggregation follows from its index, so it is the same in both accounts.
            for metric in 0..<4 {
                for day in 0..<40 {
                    let date = small.firstDay.adding(days: day)
                    #expect(
                        small.usageValue(customer: customer, metric: metric, day: date)
                            == bigger.usageValue(customer: customer, metric: metric, day: date))
                    compared += 1
                }
            }
        }
        #expect(compared == 8 * 4 * 40)
    }

    @Test("usage JSON text is the value's exact decimal text, as the truth writes it")
    func jsonText() {
        let account = AccountGenerator.generate(
            AccountParameters(
                seed: 11, customerCount: 12, billableMetricCount: 8, dayCount: 60, lastDay: SandboxTestSupport.lastDay))
        var present = 0
        for customer in account.customers.indices {
            for metric in account.metrics.indices {
                for day in 0..<account.parameters.dayCount {
                    let value = account.usage.value(customer: customer, metric: metric, dayOffset: day)
                    let text = account.usage.jsonText(customer: customer, metric: metric, dayOffset: day)
                    #expect(text == value.map { "\($0)" } ?? "null")
                    if value != nil { present += 1 }
                }
            }
        }
        #expect(present > 1_000)
        for (significand, exponent, text) in [
            (Int64(1500), -3, "1.5"), (30, -1, "3"), (-5, -3, "-0.005"), (120_000, 9, "120000000000000"),
            (4_999_999, 6, "4999999000000"), (0, 0, "0"), (-1_234_567, -3, "-1234.567"),
        ] {
            #expect(UsageQuantity(significand: significand, exponent: exponent).text == text)
        }
    }

    @Test("every line item is in its invoice's credit type (the truth relies on it)")
    func lineCreditTypes() {
        let account = AccountGenerator.generate(
            AccountParameters(
                seed: 4, customerCount: 14, billableMetricCount: 5, dayCount: 70, lastDay: SandboxTestSupport.lastDay))
        for invoice in account.invoicesByCustomer.joined() {
            #expect(invoice.windows.allSatisfy { $0.lineItems.allSatisfy { $0.creditType == invoice.creditType } })
        }
    }

    @Test("on the large account, one customer's usage and revenue from the API are its truth")
    func largeAccountAgreesWithTruth() async throws {
        var configuration = SandboxTestSupport.configuration()
        configuration.account = Self.large
        configuration.usageWindowsPerPage = 1_095
        try await SandboxTestSupport.run(configuration) { running, http in
            let account = running.account
            // Customer 1 has the very large values and a prepaid commit; 9,996 is far into the account
            // and has scheduled fees, so several invoices on the 1st.
            for customer in [account.customers[1], account.customers[9_996]] {
                let clientConfiguration = MetronomeClientConfiguration(
                    baseURL: running.baseURL, token: MetronomeToken(SandboxTestSupport.token))
                let usageWindow = try DayWindow(
                    from: UTCDay("\(account.firstDay)")!, through: UTCDay("\(account.lastDay)")!)
                // The last 35 days: one breakdown page, across a month's end.
                let revenueWindow = try DayWindow(
                    from: UTCDay("\(account.lastDay.adding(days: -34))")!, through: UTCDay("\(account.lastDay)")!)
                let (usage, revenue) = try await MetronomeClient.withClient(
                    configuration: clientConfiguration, logger: SandboxTestSupport.logger
                ) { client in
                    var usage: [String: Decimal] = [:]
                    let query = UsageQuery(window: usageWindow, customerIDs: [customer.id])
                    for try await page in client.usage(query) {
                        for item in page.items {
                            guard let value = item.value else { continue }
                            usage["\(item.billableMetricID)|\(item.day)"] = value
                        }
                    }
                    var revenue: [String: Decimal] = [:]
                    for try await page in client.invoiceBreakdowns(
                        customerID: customer.id, InvoiceBreakdownQuery(window: revenueWindow))
                    {
                        for item in page.items where item.invoice.status != .void {
                            let key = "\(item.invoice.creditType?.id ?? "")|\(item.day)"
                            revenue[key, default: 0] += item.invoice.total
                        }
                    }
                    return (usage, revenue)
                }

                let usageTruth = try await http.get(
                    "/__sandbox/truth?kind=usage&customer_id=\(customer.id)", token: nil)
                let usageRows = try #require(usageTruth.json as? [[String: Any]])
                var expectedUsage: [String: Decimal] = [:]
                for row in usageRows {
                    expectedUsage["\(row["billable_metric_id"] as! String)|\(row["day"] as! String)"] =
                        Decimal(string: row["value"] as! String)
                }
                #expect(usageRows.count > 1_095)
                #expect(usage == expectedUsage)

                let revenueTruth = try await http.get(
                    "/__sandbox/truth?kind=revenue&basis=invoice_total&customer_id=\(customer.id)"
                        + "&from=\(account.lastDay.adding(days: -34))&to=\(account.lastDay)",
                    token: nil)
                let revenueRows = try #require(revenueTruth.json as? [[String: Any]])
                var expectedRevenue: [String: Decimal] = [:]
                for row in revenueRows {
                    let creditType = try #require(
                        account.creditTypes.first { $0.id == row["credit_type_id"] as? String })
                    expectedRevenue["\(creditType.id)|\(row["day"] as! String)"] =
                        Decimal(string: row["value"] as! String)! * Decimal(TruthCalculator.divisor(for: creditType))
                }
                #expect(revenueRows.count >= 35)
                #expect(revenue == expectedRevenue)
            }
        }
    }
}
