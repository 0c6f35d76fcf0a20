import Foundation
import Metronome
import MetronomeSandbox
import Testing

@testable import Metronome

/// The client against the sandbox over real HTTP on loopback.
@Suite("Client contract against the sandbox", .timeLimit(.minutes(15)))
struct ClientContractTests {
    static let window = try! DayWindow(from: UTCDay("2025-11-18")!, through: UTCDay("2026-01-31")!)
    /// Every metric of three customers: 48 usage pages.
    static let threeCustomers = UsageQuery(
        window: window,
        customerIDs: MetronomeSandbox(configuration: SandboxHarness.configuration()).account.customers.prefix(3).map(
            \.id)
    )

    @Test("every endpoint, walked to the end")
    func everyEndpoint() async throws {
        try await SandboxHarness.run { running, client, _ in
            let account = running.account
            let active = try await client.customers().allItems()
            let archived = try await client.customers(CustomerListQuery(onlyArchived: true)).allItems()
            #expect(active.allSatisfy { !$0.isArchived } && archived.allSatisfy(\.isArchived))
            #expect(Set((active + archived).map(\.id)) == Set(account.customers.map(\.id)))
            #expect((active + archived).compactMap(\.name).sorted() == account.customers.map(\.name).sorted())

            let one = try await client.customer(id: account.customers[2].id)
            #expect(one.ingestAliases == account.customers[2].ingestAliases)

            let metrics = try await client.billableMetrics(includeArchived: true).allItems()
            #expect(metrics.map(\.id) == account.metrics.map(\.id))
            #expect(metrics.map(\.aggregationType?.rawValue) == account.metrics.map(\.aggregation.rawValue))
            #expect(try await client.billableMetrics().allItems().count == account.metrics.count - 1)

            let customer = account.customers[0]
            let perCustomer = try await client.billableMetrics(customerID: customer.id, includeArchived: true)
                .allItems()
            #expect(perCustomer.count == customer.usesMetric.filter { $0 }.count)
            #expect(perCustomer.allSatisfy { $0.aggregationType != nil })

            let creditTypes = try await client.creditTypes(limit: 1).allItems()
            #expect(creditTypes.map(\.name) == ["USD (cents)", "EUR", "cloud consumption units"])

            let usage = try await client.usage(
                UsageQuery(window: Self.window, customerIDs: [customer.id], billableMetrics: [.init(id: metrics[0].id)])
            ).allItems()
            #expect(usage.count == 75)
            #expect(usage.map(\.day) == (0..<75).map { Self.window.firstDay.adding(days: $0) })

            let breakdowns = try await client.invoiceBreakdowns(
                customerID: customer.id, InvoiceBreakdownQuery(window: Self.window)
            )
            .allItems()
            #expect(!breakdowns.isEmpty)
            #expect(breakdowns.allSatisfy { $0.invoice.customerID == customer.id })
            #expect(Set(breakdowns.map(\.day)).count == 75)
        }
    }

    @Test("usage pages: one pair each, at most the server's window count, never a limit")
    func usageWalk() async throws {
        try await SandboxHarness.run { running, client, _ in
            var pages: [Page<UsageAggregate>] = []
            for try await page in client.usage(UsageQuery(window: Self.window)) { pages.append(page) }
            let pairs = running.account.customers.count * running.account.metrics.count
            #expect(pages.count == pairs * 4)  // 75 days in pages of 20
            #expect(pages.map(\.items.count).filter { $0 != 20 }.allSatisfy { $0 == 15 })
            for page in pages {
                #expect(Set(page.items.map { "\($0.customerID)|\($0.billableMetricID)" }).count == 1)
            }
            #expect(pages.last?.isLast == true && pages.dropLast().allSatisfy { !$0.isLast })
            let stats = running.stats
            #expect(stats.count(endpoint: "POST /v1/usage", status: 200) == pages.count)
            #expect(stats.count(endpoint: "POST /v1/usage", status: 400) == 0)
            #expect(stats.userAgents == ["meterbridge/\(MeterBridgeVersion.current)": pages.count])
            #expect(stats.pagesServedMoreThanOnce == 0)
        }
    }

    @Test("a walk resumes from a saved cursor without re-reading pages")
    func resume() async throws {
        try await SandboxHarness.run { running, client, _ in
            let query = UsageQuery(window: Self.window, customerIDs: [running.account.customers[3].id])
            var firstPart: [UsageAggregate] = []
            var saved: String?
            for try await page in client.usage(query) {
                firstPart += page.items
                saved = page.nextCursor
                if firstPart.count >= 40 { break }  // "crash" after two pages
            }
            let savedCursor: String = try #require(saved)
            let rest = try await client.usage(query, resumingFrom: savedCursor).allItems()
            #expect(running.stats.pagesServedMoreThanOnce == 0)
            let full = try await client.usage(query).allItems()
            #expect(firstPart + rest == full)

            // Resuming from a page's own cursor re-reads exactly that page.
            var pages: [Page<UsageAggregate>] = []
            for try await page in client.usage(query) { pages.append(page) }
            let pageThreeCursor: String = try #require(pages[2].cursor)
            let again = try await client.usage(query, resumingFrom: pageThreeCursor).allItems()
            #expect(again == Array(full.dropFirst(40)))
        }
    }

    @Test("empty pages that carry a cursor do not end a walk")
    func emptyPages() async throws {
        let expected = try await SandboxHarness.run { running, client, _ in
            try await client.usage(UsageQuery(window: Self.window, customerIDs: [running.account.customers[1].id]))
                .allItems()
        }
        let faults = FaultConfiguration(emptyPageRate: 1)
        try await SandboxHarness.run(SandboxHarness.configuration(faults: faults)) { running, client, _ in
            var empty = 0
            var items: [UsageAggregate] = []
            for try await page in client.usage(
                UsageQuery(window: Self.window, customerIDs: [running.account.customers[1].id]))
            {
                if page.items.isEmpty { empty += 1 }
                items += page.items
            }
            #expect(items == expected)
            #expect(empty > 0)
            #expect(running.stats.faultsInjected["empty_page"] == empty)
            let customers = try await client.customers().allItems()
            #expect(customers.count == running.account.customers.filter { !$0.isArchived }.count)
        }
    }

    /// A server that loops for a moment: the suspect page is asked for again, never yielded, and the walk
    /// ends with every item exactly once (it used to fail the whole walk on the first repeat).
    @Test("a cursor repeated now and then is asked for again and the walk completes")
    func aPassingRepeatIsRetried() async throws {
        let faults = FaultConfiguration(repeatCursorRate: 0.25, seed: 5)
        try await SandboxHarness.run(SandboxHarness.configuration(faults: faults)) { running, client, _ in
            let customers = try await client.customers(CustomerListQuery(limit: 1)).allItems()
            let expected = running.account.customers.filter { !$0.isArchived }.map(\.id)
            #expect(customers.count == expected.count && Set(customers.map(\.id)) == Set(expected), "every customer exactly once")
            #expect(running.stats.faultsInjected["repeated_cursor", default: 0] > 0)
            #expect(running.stats.pagesServedMoreThanOnce == 0, "the refused answers do not count as pages served")
        }
    }

    @Test("a cursor that keeps repeating and a page cap stop the walk with a pagination error")
    func paginationGuards() async throws {
        let faults = FaultConfiguration(repeatCursorRate: 1)
        try await SandboxHarness.run(SandboxHarness.configuration(faults: faults)) { _, client, _ in
            let error = await MetronomeError.caught {
                _ = try await client.usage(UsageQuery(window: Self.window)).allItems()
            }
            #expect(error?.kind == .pagination)
            #expect(error?.endpoint == "POST /v1/usage")
        }
        try await SandboxHarness.run(maxPages: 2) { _, client, _ in
            let error = await MetronomeError.caught { _ = try await client.customers().allItems() }
            #expect(error?.kind == .pagination)
            #expect(error?.description.contains("more than 2 pages") == true)
        }
    }

    @Test("401 and 403 are unauthorized; the token never shows")
    func unauthorized() async throws {
        for status in [401, 403] {
            var configuration = SandboxHarness.configuration()
            configuration.unauthorizedStatus = status
            try await SandboxHarness.run(configuration, token: "wrong-token-SECRET") { running, client, recorder in
                let error = await MetronomeError.caught { _ = try await client.customers().allItems() }
                #expect(error?.kind == .unauthorized)
                #expect(error?.status == status)
                #expect(error.map { !"\($0)".contains("SECRET") } == true)
                #expect(recorder.recorded.isEmpty, "never retried")
                #expect(running.stats.requestsTotal == 1)
            }
        }
    }

    @Test("404 for an unknown customer, 400 for a bad request, both unretried")
    func notFoundAndBadRequest() async throws {
        try await SandboxHarness.run { running, client, recorder in
            let unknown = "00000000-0000-4000-8000-000000000000"
            let notFound = await MetronomeError.caught { _ = try await client.customer(id: unknown) }
            #expect(notFound?.kind == .notFound)
            let breakdowns = await MetronomeError.caught {
                _ = try await client.invoiceBreakdowns(customerID: unknown, InvoiceBreakdownQuery(window: Self.window))
                    .allItems()
            }
            #expect(breakdowns?.kind == .notFound)

            // A cursor replayed with another query is refused by the server.
            let customers = running.account.customers
            var cursor: String?
            for try await page in client.usage(UsageQuery(window: Self.window, customerIDs: [customers[0].id])) {
                cursor = page.nextCursor
                break
            }
            let replayed = await MetronomeError.caught {
                _ = try await client.usage(
                    UsageQuery(window: Self.window, customerIDs: [customers[1].id]), resumingFrom: cursor
                )
                .allItems()
            }
            #expect(replayed?.kind == .badRequest)
            #expect(replayed?.status == 400)
            #expect(recorder.recorded.isEmpty)

            // An invalid limit is refused before anything is sent.
            let sentBefore = running.stats.requestsTotal
            let invalid = await MetronomeError.caught {
                _ = try await client.customers(CustomerListQuery(limit: 0)).allItems()
            }
            #expect(invalid?.kind == .badRequest && invalid?.status == nil)
            #expect(running.stats.requestsTotal == sentBefore)
        }
    }

    @Test("well-formed JSON of the wrong shape is a decoding error with endpoint and excerpt")
    func decoding() async throws {
        try await SandboxHarness.run { _, client, recorder in
            let error = await MetronomeError.caught {
                _ = try await client.send(
                    MetronomeRequest(method: .get, path: "/v1/credit-types/list"),
                    as: PageEnvelope<UsageAggregate>.self
                )
            }
            #expect(error?.kind == .decoding)
            #expect(error?.endpoint == "GET /v1/credit-types/list")
            #expect(error?.detail.contains("customer_id") == true)
            #expect(error?.detail.contains("USD (cents)") == true)
            #expect(recorder.recorded.isEmpty)
        }
    }

    @Test(
        "5xx, dropped connections and malformed bodies are transient: retried, then surfaced",
        arguments: [
            FaultConfiguration(serverErrorRate: 1), FaultConfiguration(dropRate: 1),
            FaultConfiguration(malformedRate: 1),
        ]
    )
    func transient(faults: FaultConfiguration) async throws {
        let pacer = CountingPacer()
        try await SandboxHarness.run(SandboxHarness.configuration(faults: faults), pacer: pacer) {
            running, client, recorder in
            let error = await MetronomeError.caught { _ = try await client.creditTypes().allItems() }
            #expect(error?.kind == .transient)
            #expect(recorder.recorded.count == 3)
            #expect(pacer.permissions == 4, "every attempt awaits the pacer")
            #expect(running.stats.requestsTotal == 4)
            #expect(running.stats.pagesServed == 0)
        }
    }

    @Test("transient faults at a moderate rate are absorbed by retries")
    func absorbedFaults() async throws {
        let faults = FaultConfiguration(
            serverErrorRate: 0.15,
            dropRate: 0.05,
            malformedRate: 0.1,
            emptyPageRate: 0.2,
            mixedTimestampRate: 0.5,
            seed: 11
        )
        let expected = try await SandboxHarness.run { _, client, _ in
            try await client.usage(Self.threeCustomers).allItems()
        }
        try await SandboxHarness.run(
            SandboxHarness.configuration(faults: faults),
            retryPolicy: RetryPolicy(maxRetries: 10, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(2))
        ) { running, client, _ in
            let items = try await client.usage(Self.threeCustomers).allItems()
            #expect(items == expected)
            #expect(running.stats.pagesServedMoreThanOnce == 0)
            #expect((running.stats.faultsInjected["server_error"] ?? 0) > 0)
        }
    }

    @Test("a request slower than the request timeout is transient")
    func timeout() async throws {
        let faults = FaultConfiguration(slowRate: 1, slowDelay: .seconds(30))
        try await SandboxHarness.run(
            SandboxHarness.configuration(faults: faults),
            retryPolicy: .none,
            requestTimeout: .milliseconds(300)
        ) { _, client, _ in
            let error = await MetronomeError.caught { _ = try await client.creditTypes().allItems() }
            #expect(error?.kind == .transient)
        }
    }

    @Test("429s are retried after Retry-After and surface as rateLimited once the policy gives up")
    func rateLimitedSurfaces() async throws {
        let pacer = CountingPacer()
        // 0.05 requests/s: the bucket holds one request and refills in 20 s, far longer than the
        // test takes even on a loaded machine, so every retry meets an empty bucket. Retry-After
        // counts down (whole seconds, rounded up) while the test runs.
        try await SandboxHarness.run(SandboxHarness.configuration(rateLimit: 0.05), pacer: pacer) {
            running, client, recorder in
            _ = try await client.creditTypes(limit: 100).allItems()
            let error = await MetronomeError.caught { _ = try await client.creditTypes(limit: 100).allItems() }
            guard case .rateLimited(let retryAfter?) = error?.kind else {
                Issue.record("expected rateLimited with a delay, got \(String(describing: error))")
                return
            }
            #expect(retryAfter > .seconds(10) && retryAfter <= .seconds(20))
            #expect(recorder.recorded.count == 3)
            #expect(recorder.recorded.allSatisfy { $0 > .seconds(10) && $0 <= .seconds(20) })
            let delays = recorder.recorded
            // The server's countdown, honoured as given.
            #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 >= $1 })
            #expect(pacer.rateLimits == 4)
            #expect(running.stats.rateLimited == 4)
        }
    }

    @Test("a Retry-After beyond 60 s ends the request policy at once")
    func retryAfterBeyondCap() async throws {
        try await SandboxHarness.run(SandboxHarness.configuration(rateLimit: 0.01)) { _, client, recorder in
            _ = try await client.creditTypes(limit: 100).allItems()
            let error = await MetronomeError.caught { _ = try await client.creditTypes(limit: 100).allItems() }
            guard case .rateLimited(let retryAfter?) = error?.kind else {
                Issue.record("expected rateLimited with a delay, got \(String(describing: error))")
                return
            }
            #expect(retryAfter > .seconds(60))
            #expect(recorder.recorded.isEmpty, "left to the job layer, which snoozes instead of holding a worker")
        }
    }

    @Test(
        "every Retry-After form is honoured",
        arguments: [(RetryAfterMode.milliseconds, 30_000), (.httpDate, 31_000), (.off, 5)]
    )
    func retryAfterForms(mode: RetryAfterMode, maxMilliseconds: Int) async throws {
        // One token per 30 s: the bucket cannot refill during the test however slow the machine is, and
        // the server's delay stays under the policy's 60 s cap.
        var configuration = SandboxHarness.configuration(rateLimit: 1.0 / 30)
        configuration.retryAfter = mode
        try await SandboxHarness.run(configuration) { _, client, recorder in
            _ = try await client.creditTypes(limit: 100).allItems()
            let error = await MetronomeError.caught { _ = try await client.creditTypes(limit: 100).allItems() }
            guard case .rateLimited = error?.kind else {
                Issue.record("expected rateLimited, got \(String(describing: error))")
                return
            }
            #expect(recorder.recorded.count == 3)
            // An HTTP-date has whole seconds, so its delay can round to zero on a second boundary.
            #expect(recorder.recorded.allSatisfy { $0 >= .zero && $0 <= .milliseconds(maxMilliseconds) })
            #expect(mode == .httpDate || recorder.recorded.allSatisfy { $0 > .zero })
        }
    }

    @Test("after waiting what Retry-After says, the request succeeds")
    func retryAfterHonoured() async throws {
        // One request per 8 s: the second request meets an empty bucket unless the machine stalls
        // for eight seconds between two lines, and then waits for real until the refill.
        try await SandboxHarness.run(SandboxHarness.configuration(rateLimit: 0.125), realSleep: true) {
            running, client, recorder in
            _ = try await client.creditTypes(limit: 100).allItems()
            let types = try await client.creditTypes(limit: 100).allItems()
            #expect(types.count == 3)
            // Whole seconds until the refill: 8, or less if the machine was slow between the requests.
            let waited = try #require(recorder.recorded.first)
            #expect(waited >= .seconds(1) && waited <= .seconds(8))
            #expect(running.stats.rateLimited == recorder.recorded.count)
        }
    }
}
