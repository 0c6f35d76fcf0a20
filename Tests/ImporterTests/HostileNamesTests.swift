import Foundation
import Importer
import Metronome
import MetronomeSandbox
import Testing

/// Customer names are input from outside: SQL, a NUL byte, right-to-left text and overrides,
/// combining marks, markup and 10,000 characters import exactly, label exactly, and harm nothing.
@Suite("Hostile names", .timeLimit(.minutes(3)))
struct HostileNamesTests {
    @Test func hostileNamesImportAndLabelExactly() async throws {
        let account = AccountParameters(seed: 17, customerCount: 28, billableMetricCount: 1, dayCount: 20, lastDay: ImporterHarness.today())
        try await ImporterHarness.run(account: account) { harness in
            let hostile = harness.account.customers.filter { $0.name.contains("DROP TABLE") || $0.name.utf8.contains(0) || $0.name.count >= 10_000 }
            #expect(hostile.count == 3, "the account has the hostile names")
            let connection = try await harness.addConnection()
            let metric = harness.account.metrics[0]
            let business = try await harness.metrics.create(
                title: "usage", connection: connection, source: .usage(billableMetric: metric.id), labelSource: .customerName,
                since: UTCDay(harness.account.firstDay.description)!)
            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            try await harness.runWorkers(1, stopWhenNothingDue: true)

            #expect(try await harness.imported(business) == harness.expected(TruthFilter(kind: .usage, billableMetricID: metric.id)))
            // Labels are the names, verbatim but for the NUL, which Postgres text cannot hold (U+FFFD).
            let labels = try await harness.pool.query(
                "SELECT customer_id, label FROM customer_labels WHERE label_source = 'customer_name'"
            ).reduce(into: [String: String]()) { $0[try $1.decode(String.self, at: 0)] = try $1.decode(String.self, at: 1) }
            for customer in harness.account.customers.dropFirst(20) {
                #expect(labels[customer.id] == customer.name.replacing("\u{0}", with: "\u{FFFD}"), "\(customer.name.prefix(40))")
            }
            #expect(labels.values.contains { $0.count == 10_000 })
            let tables = try await harness.pool.query("SELECT count(*) FROM metric_values").single().decode(Int.self, at: 0)
            #expect(tables > 0)
        }
    }
}
