import Foundation
import Importer
import JobQueue
import Metronome
import MetronomeSandbox
import Postgres
import Testing
import TestSupport

/// Several Metronome accounts at once, each a token of the sandbox with an account of its own: every
/// connection gets its turn from the first claim, each spends exactly its own paging minimum, and each
/// connection's values are its own account's.
@Suite("Many connections", .timeLimit(.minutes(10)))
struct ManyConnectionsTests {
    static let tokens = ["account-one", "account-two", "account-three"]

    @Test func eachConnectionGetsItsTurnAndSpendsExactlyItsMinimum() async throws {
        let today = ImporterHarness.today()
        let account = AccountParameters(seed: 21, customerCount: 7, billableMetricCount: 2, dayCount: 60, lastDay: today)
        try await ImporterHarness.run(account: account, tokens: Self.tokens) { harness in
            let since = UTCDay(harness.account.firstDay.description)!
            var created: [(connection: ConnectionRecord, token: String, usage: BusinessMetric, revenue: BusinessMetric, metricID: String)] = []
            for token in Self.tokens {
                let connection = try await harness.addConnection(name: token, token: token)
                let ownAccount = try #require(harness.sandbox.sandbox.account(token: token))
                let billable = try #require(ownAccount.metrics.first { $0.archivedAt == nil })
                let usage = try await harness.metrics.create(
                    title: "\(token) usage", connection: connection, source: .usage(billableMetric: billable.id),
                    labelSource: .customerID, since: since)
                let revenue = try await harness.metrics.create(
                    title: "\(token) revenue", connection: connection,
                    source: .revenue(currency: "USD", creditTypeID: nil, basis: .invoiceTotal), labelSource: .customerID, since: since)
                created.append((connection, token, usage, revenue, billable.id))
            }
            let before = Dictionary(uniqueKeysWithValues: Self.tokens.map { ($0, harness.sandbox.stats(token: $0)) })

            try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            // Each connection's jobs form its group, capped for its rate.
            let groups = try await harness.queue.admin.groups()
            #expect(Set(groups.map(\.key)) == Set(created.map { ConnectionJobGroup.key(connectionID: $0.connection.id) }))
            #expect(groups.allSatisfy { $0.maxRunning == ConnectionJobGroup.cap(requestsPerSecond: 1_000) })

            try await harness.runWorkers(1, concurrency: 3)

            // The first claim took a job of every connection, though each had several queued.
            let jobs = try await harness.queue.admin.list(JobQueue.Filter(), limit: 1_000)
            #expect(jobs.allSatisfy { $0.state == .completed && $0.attempt == 1 })
            let firstClaim = try #require(jobs.compactMap(\.attemptedAt).min())
            func connectionID(_ job: JobRecord) throws -> Int64 {
                try JSONDecoder().decode(CatalogJobArgs.self, from: Data(job.argsJSON.utf8)).connectionID
            }
            let firstConnections = Set(try jobs.filter { $0.attemptedAt == firstClaim }.map(connectionID))
            #expect(firstConnections == Set(created.map(\.connection.id)))
            for connection in created.map(\.connection) {
                #expect(try jobs.filter { try connectionID($0) == connection.id }.count > 1)
            }

            for entry in created {
                let spent = harness.sandbox.stats(token: entry.token)
                let customers = harness.sandbox.sandbox.account(token: entry.token)!.customers.count
                let usage = spent.count(endpoint: "POST /v1/usage") - before[entry.token]!.count(endpoint: "POST /v1/usage")
                let breakdowns =
                    spent.count(endpoint: "GET /v1/customers/{customer_id}/invoices/breakdowns")
                    - before[entry.token]!.count(endpoint: "GET /v1/customers/{customer_id}/invoices/breakdowns")
                #expect(usage == PageCost.usage(days: 60, customers: customers), "\(entry.token)")
                #expect(breakdowns == PageCost.revenue(days: 60, customers: customers), "\(entry.token)")
                #expect(spent.pagesServedMoreThanOnce == 0, "\(entry.token)")
                #expect(spent.rateLimited == 0)

                // Each connection holds its own account's values, to the unit and the cent.
                var expectedUsage: [String: Decimal] = [:]
                for row in harness.truthOfToken(TruthFilter(kind: .usage, billableMetricID: entry.metricID), entry.token) {
                    expectedUsage["\(row.customerID)/\(row.day)"] = row.value
                }
                let importedUsage = try await harness.imported(entry.usage)
                #expect(!importedUsage.isEmpty && importedUsage == expectedUsage, "\(entry.token) usage")
                var expectedRevenue: [String: Decimal] = [:]
                let usd = try #require(harness.sandbox.sandbox.account(token: entry.token)!.creditTypes.first { $0.name == "USD (cents)" })
                for row in harness.truthOfToken(SandboxTruth.revenue(creditTypeID: usd.id, basis: "invoice_total"), entry.token) {
                    expectedRevenue["\(row.customerID)/\(row.day)"] = row.value
                }
                let importedRevenue = try await harness.imported(entry.revenue)
                #expect(!importedRevenue.isEmpty && importedRevenue == expectedRevenue, "\(entry.token) revenue")
            }
            // Operators see every connection and the total, in the dry run and in the status (which shows
            // the planner's latest projection: the planner's next cycle finds the history done).
            let replanned = try await ImportPlanner(queue: harness.queue, logger: harness.logger).plan()
            #expect(replanned.syncJobs + replanned.backfillJobs == 0)
            let plan = try CLITests().meterbridge(["plan"], database: harness.database)
            #expect(plan.status == 0, "\(plan.stderr)")
            for token in Self.tokens { #expect(plan.stdout.contains("\(token): backfill done"), "\(plan.stdout)") }
            #expect(plan.stdout.contains("total: 3 connections; backfill done; sync "), "\(plan.stdout)")
            let planJSON = try CLITests().meterbridge(["plan", "--format", "json"], database: harness.database)
            let planObject = try #require(try JSONSerialization.jsonObject(with: Data(planJSON.stdout.utf8)) as? [String: Any])
            #expect((planObject["connections"] as? [Any])?.count == 3)
            let total = try #require(planObject["total"] as? [String: Any])
            #expect(total["connections"] as? Int == 3 && total["backfill_requests"] as? Int == 0)
            #expect((total["requests_per_second"] as? NSNumber)?.doubleValue == 3_000)
            let status = try CLITests().meterbridge(["status"], database: harness.database)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("total") && status.stdout.contains("3/3 active") && status.stdout.contains("3000/s"), "\(status.stdout)")
            let statusJSON = try CLITests().meterbridge(["status", "--format", "json"], database: harness.database)
            let statusObject = try #require(try JSONSerialization.jsonObject(with: Data(statusJSON.stdout.utf8)) as? [String: Any])
            let statusTotal = try #require(statusObject["total"] as? [String: Any])
            #expect(statusTotal["active_connections"] as? Int == 3 && statusTotal["requests_left"] as? Int == 0)

            // The accounts differ: no customer is shared.
            let customerSets = Self.tokens.map { Set(harness.sandbox.sandbox.account(token: $0)!.customers.map(\.id)) }
            #expect(customerSets[0].isDisjoint(with: customerSets[1]) && customerSets[1].isDisjoint(with: customerSets[2]))
        }
    }
}
