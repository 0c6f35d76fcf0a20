import Foundation
import Logging
import Metronome
import MetronomeSandbox
import Testing

/// The truth endpoint against a full walk of the API with the real client, under faults.
@Suite("Truth agrees with the API", .timeLimit(.minutes(15)))
struct TruthAgreementTests {
    struct Key: Hashable, CustomStringConvertible {
        let kind: String
        let metric: String
        let creditType: String
        let basis: String
        let customer: String
        let day: String

        var description: String { [kind, metric, creditType, basis, customer, day].joined(separator: "|") }
    }

    /// Computes every truth row from what the API returns, by the definitions of docs/sandbox.md, "Ground truth".
    static func walk(_ client: MetronomeClient, window: DayWindow) async throws -> [Key: Decimal] {
        var rows: [Key: Decimal] = [:]
        let customers =
            try await client.customers(CustomerListQuery(limit: 4)).allItems()
            + client.customers(CustomerListQuery(onlyArchived: true)).allItems()
        let metrics = try await client.billableMetrics(includeArchived: true).allItems()
        let divisors = Dictionary(
            uniqueKeysWithValues: try await client.creditTypes().allItems().map { ($0.id, $0.amountDivisor) })
        for customer in customers {
            let query = UsageQuery(
                window: window, customerIDs: [customer.id], billableMetrics: metrics.map { .init(id: $0.id) })
            for try await page in client.usage(query) {
                for item in page.items {
                    guard let value = item.value else { continue }
                    rows[
                        Key(
                            kind: "usage", metric: item.billableMetricID, creditType: "", basis: "",
                            customer: customer.id, day: "\(item.day)")] = value
                }
            }
            var invoiceTotals: [Key: Decimal] = [:]
            var gross: [Key: Decimal] = [:]
            for chunk in window.split(maxDays: 35) {
                for try await page in client.invoiceBreakdowns(
                    customerID: customer.id, InvoiceBreakdownQuery(window: chunk))
                {
                    for item in page.items where item.invoice.status != .void {
                        let creditType = try #require(item.invoice.creditType?.id)
                        let key = Key(
                            kind: "revenue", metric: "", creditType: creditType, basis: "invoice_total",
                            customer: customer.id, day: "\(item.day)")
                        invoiceTotals[key, default: 0] += item.invoice.total
                        let grossKey = Key(
                            kind: "revenue", metric: "", creditType: creditType, basis: "gross_usage",
                            customer: customer.id, day: "\(item.day)")
                        gross[grossKey, default: 0] += 0
                        for line in item.invoice.lineItems where !line.isAppliedCommitOrCredit {
                            let lineKey = Key(
                                kind: "revenue", metric: "", creditType: line.creditType?.id ?? creditType,
                                basis: "gross_usage", customer: customer.id, day: "\(item.day)")
                            gross[lineKey, default: 0] += line.total
                        }
                    }
                }
            }
            for (key, total) in invoiceTotals.merging(gross, uniquingKeysWith: +) {
                rows[key] = total / Decimal(divisors[key.creditType] ?? 1)
            }
        }
        return rows
    }

    static func truth(_ http: RawHTTP) async throws -> [Key: Decimal] {
        let answer = try await http.get("/__sandbox/truth", token: nil)
        let objects = try #require(answer.json as? [[String: Any]])
        var rows: [Key: Decimal] = [:]
        for object in objects {
            let key = Key(
                kind: object["kind"] as! String,
                metric: object["billable_metric_id"] as? String ?? "",
                creditType: object["credit_type_id"] as? String ?? "",
                basis: object["basis"] as? String ?? "",
                customer: object["customer_id"] as! String,
                day: object["day"] as! String
            )
            rows[key] = Decimal(string: object["value"] as! String)
        }
        return rows
    }

    @Test("a full walk under faults reproduces the truth exactly, and no page is served twice")
    func agreement() async throws {
        let faults = FaultConfiguration(
            serverErrorRate: 0.05,
            dropRate: 0.02,
            malformedRate: 0.05,
            emptyPageRate: 0.1,
            mixedTimestampRate: 0.5,
            seed: 99
        )
        let configuration = SandboxTestSupport.configuration(
            customers: 9, metrics: 4, days: 60, seed: 21, faults: faults)
        try await SandboxTestSupport.run(configuration) { running, http in
            let clientConfiguration = MetronomeClientConfiguration(
                baseURL: running.baseURL,
                token: MetronomeToken(SandboxTestSupport.token),
                retryPolicy: RetryPolicy(maxRetries: 8, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(2))
            )
            let window = try DayWindow(
                from: UTCDay("\(running.account.firstDay)")!, through: UTCDay("\(running.account.lastDay)")!)
            let walked = try await MetronomeClient.withClient(
                configuration: clientConfiguration, logger: SandboxTestSupport.logger
            ) {
                try await Self.walk($0, window: window)
            }
            let truth = try await Self.truth(http)
            #expect(truth.count > 500)
            #expect(Set(walked.keys) == Set(truth.keys))
            let mismatched = truth.filter { walked[$0.key] != $0.value }
            #expect(mismatched.isEmpty, "\(mismatched.prefix(3))")
            #expect(truth.keys.contains { $0.basis == "gross_usage" } && truth.keys.contains { $0.kind == "usage" })
            let stats = running.stats
            #expect(stats.pagesServedMoreThanOnce == 0)
            #expect((stats.faultsInjected["server_error"] ?? 0) + (stats.faultsInjected["malformed_body"] ?? 0) > 0)
        }
    }

    @Test("the truth endpoint filters and renders CSV")
    func filters() async throws {
        try await SandboxTestSupport.run { running, http in
            let customer = running.account.customers[1].id
            let filtered = try await http.get(
                "/__sandbox/truth?kind=revenue&basis=gross_usage&customer_id=\(customer)&from=2026-01-01&to=2026-01-10",
                token: nil)
            let rows = try #require(filtered.json as? [[String: Any]])
            #expect(!rows.isEmpty)
            #expect(
                rows.allSatisfy {
                    $0["kind"] as? String == "revenue" && $0["basis"] as? String == "gross_usage"
                        && $0["customer_id"] as? String == customer
                })
            #expect(
                rows.allSatisfy { ($0["day"] as! String) >= "2026-01-01" && ($0["day"] as! String) <= "2026-01-10" })
            let csv = try await http.get("/__sandbox/truth?format=csv&kind=usage", token: nil)
            #expect(csv.body.hasPrefix("kind,billable_metric_id,credit_type_id,basis,customer_id,day,value\n"))
            #expect(try await http.get("/__sandbox/truth?kind=profit", token: nil).status == 400)
        }
    }
}
