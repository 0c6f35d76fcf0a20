import Foundation
import MetronomeSandbox
import Testing

/// Page composition as docs/sandbox.md describes it ("What is modelled on assumptions").
@Suite("Sandbox paging composition", .timeLimit(.minutes(5)))
struct PagingCompositionTests {
    /// Follows a walk with raw HTTP, returning every page.
    static func walk(_ http: RawHTTP, _ target: String, body: String? = nil) async throws -> [RawHTTP.Answer] {
        var pages: [RawHTTP.Answer] = []
        var cursor: String?
        repeat {
            let separator = target.contains("?") ? "&" : "?"
            let url = target + (cursor.map { "\(separator)next_page=\($0)" } ?? "")
            let page: RawHTTP.Answer
            if let body {
                page = try await http.post(url, body: body)
            } else {
                page = try await http.get(url)
            }
            #expect(page.status == 200)
            pages.append(page)
            cursor = page.nextPage
        } while cursor != nil && pages.count < 10_000
        return pages
    }

    @Test("usage: one (customer, metric) pair per page, at most N windows, pairs in account order")
    func usage() async throws {
        try await SandboxTestSupport.run { running, http in
            let account = running.account
            // 75 days at 30 windows per page: 30 + 30 + 15.
            let body = RawHTTP.usageBody(
                from: "\(account.firstDay)T00:00:00Z", to: "\(account.lastDay.adding(days: 1))T00:00:00Z")
            let pages = try await Self.walk(http, "/v1/usage", body: body)
            #expect(pages.count == account.customers.count * account.metrics.count * 3)
            #expect(pages.map(\.data.count) == Array(repeating: [30, 30, 15], count: pages.count / 3).flatMap { $0 })
            var pairs: [String] = []
            for page in pages {
                let pagePairs = Set(page.data.map { "\($0["customer_id"]!)|\($0["billable_metric_id"]!)" })
                #expect(pagePairs.count == 1)
                if pairs.last != pagePairs.first! { pairs.append(pagePairs.first!) }
            }
            let expected = account.customers.flatMap { customer in account.metrics.map { "\(customer.id)|\($0.id)" } }
            #expect(pairs == expected)
            // Windows are consecutive days; value is null or a number, never a string.
            let first = pages[0].data
            #expect(first.first?["start_timestamp"] as? String == "\(account.firstDay)T00:00:00Z")
            #expect(
                zip(first, first.dropFirst()).allSatisfy {
                    $0["end_timestamp"] as? String == $1["start_timestamp"] as? String
                })
            #expect(pages.flatMap(\.data).allSatisfy { $0["value"] is NSNull || $0["value"] is NSNumber })
            #expect(pages.flatMap(\.data).allSatisfy { $0["groups"] == nil })
        }
    }

    @Test("usage with hour and none windows: hours sum to the day, none aggregates the range")
    func usageWindowSizes() async throws {
        try await SandboxTestSupport.run { running, http in
            let account = running.account
            let customer = account.customers[0]
            let metric = try #require(account.metrics.first { $0.aggregation == .sum })
            let day = account.lastDay.adding(days: -1)
            let range = (from: "\(day)T00:00:00Z", to: "\(day.adding(days: 1))T00:00:00Z")
            let hourly = try await Self.walk(
                http,
                "/v1/usage",
                body: RawHTTP.usageBody(
                    from: range.from, to: range.to, windowSize: "hour", customerIDs: [customer.id],
                    metricIDs: [metric.id])
            ).flatMap(\.data)
            #expect(hourly.count == 24)
            let hourValues = hourly.compactMap { $0["value"] as? NSNumber }.map { Decimal(string: $0.stringValue)! }
            let daily = account.usageValue(customer: customer.index, metric: metric.index, day: day)
            #expect(hourValues.count == (daily == nil ? 0 : 1))
            #expect(hourValues.first == daily)
            let none = try await http.post(
                "/v1/usage",
                body: RawHTTP.usageBody(
                    from: "\(account.firstDay)T00:00:00Z",
                    to: "\(account.lastDay.adding(days: 1))T00:00:00Z",
                    windowSize: "none",
                    customerIDs: [customer.id],
                    metricIDs: [metric.id]
                )
            )
            #expect(none.data.count == 1)
            let total = (0..<account.parameters.dayCount).compactMap {
                account.usage.value(customer: customer.index, metric: metric.index, dayOffset: $0)
            }.reduce(Decimal(0), +)
            #expect((none.data.first?["value"] as? NSNumber).map { Decimal(string: $0.stringValue) } == total)
        }
    }

    @Test("breakdowns: at most 35 daily windows per page, one item per (invoice, window), limit splits pages")
    func breakdowns() async throws {
        try await SandboxTestSupport.run { running, http in
            let account = running.account
            let customer = account.customers[0]
            let target =
                "/v1/customers/\(customer.id)/invoices/breakdowns?starting_on=\(account.firstDay)T00:00:00Z"
                + "&ending_before=\(account.lastDay.adding(days: 1))T00:00:00Z&sort=date_asc"
            let pages = try await Self.walk(http, target)
            #expect(pages.count == 3)  // 75 days: 35 + 35 + 5
            let daysPerPage = pages.map { Set($0.data.compactMap { $0["breakdown_start_timestamp"] as? String }).count }
            #expect(daysPerPage == [35, 35, 5])
            let items = pages.flatMap(\.data)
            let expected = account.invoicesByCustomer[customer.index].reduce(0) { $0 + $1.windows.count }
            #expect(items.count == expected)
            let keys = items.map { "\($0["id"]!)|\($0["breakdown_start_timestamp"]!)" }
            #expect(Set(keys).count == keys.count)
            let starts = items.compactMap { $0["breakdown_start_timestamp"] as? String }
            #expect(starts == starts.sorted())

            let limited = try await Self.walk(http, target + "&limit=7")
            #expect(limited.allSatisfy { $0.data.count <= 7 })
            #expect(limited.flatMap(\.data).map { "\($0["id"]!)|\($0["breakdown_start_timestamp"]!)" } == keys)

            let descending = try await Self.walk(http, target.replacing("date_asc", with: "date_desc"))
            let descendingStarts = descending.flatMap(\.data).compactMap { $0["breakdown_start_timestamp"] as? String }
            #expect(descendingStarts == starts.sorted().reversed())

            let hourly = try await Self.walk(
                http,
                "/v1/customers/\(customer.id)/invoices/breakdowns?starting_on=\(account.lastDay)T00:00:00Z"
                    + "&ending_before=\(account.lastDay.adding(days: 1))T00:00:00Z&window_size=hour"
            )
            #expect(hourly.count == 1)
            #expect(Set(hourly[0].data.compactMap { $0["breakdown_start_timestamp"] as? String }).count == 24)
        }
    }

    @Test("GET lists: the default page size, limit, and the archived split")
    func lists() async throws {
        try await SandboxTestSupport.run { running, http in
            let account = running.account
            let active = try await Self.walk(http, "/v1/customers")
            #expect(active.dropLast().allSatisfy { $0.data.count == 5 })
            let archived = try await Self.walk(http, "/v1/customers?only_archived=true&limit=1")
            #expect(archived.allSatisfy { $0.data.count == 1 })
            let ids = (active + archived).flatMap(\.data).compactMap { $0["id"] as? String }
            #expect(ids.sorted() == account.customers.map(\.id).sorted())
            #expect(archived.flatMap(\.data).allSatisfy { $0["archived_at"] is String })
            let metrics = try await Self.walk(http, "/v1/billable-metrics?include_archived=true&limit=2")
            #expect(metrics.flatMap(\.data).count == account.metrics.count)
            let activeMetrics = try await Self.walk(http, "/v1/billable-metrics")
            #expect(activeMetrics.flatMap(\.data).count == account.metrics.count - 1)
        }
    }
}
