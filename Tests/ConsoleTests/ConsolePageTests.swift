@testable import Console
import Foundation
import HTTPTypes
import Importer
import JobQueue
import Metronome
import TestSupport
import TextOutput
import UnitEconomics
import Testing

/// Every page over a database filled by a sandbox import: the numbers the CLI prints, escaping of
/// hostile customer names, and the headers every page carries.
@Suite("Console pages", .timeLimit(.minutes(5)))
struct ConsolePageTests {
    func pages(_ fixture: ConsoleFixture) -> [String] {
        let range = "from=\(fixture.from)&to=\(fixture.to)"
        return [
            "/", "/metrics", "/metrics/\(fixture.usageMetric.id)?\(range)", "/metrics/\(fixture.revenueMetric.id)",
            "/jobs",
            "/jobs?state=completed&queue=backfill&metric=CPU+hours&connection=sandbox", "/reports", "/costs",
            "/reports/top-customers?metric=CPU+hours&\(range)",
            "/reports/unit-cost?cost-report=COGS&metric=CPU+hours&scale=1000&\(range)",
            "/reports/margin?revenue-metric=Revenue&cost-report=COGS&\(range)",
            "/reports/pricing?cost-report=COGS&metric=CPU+hours&target-margins=20,40&\(range)",
            "/reports/allocate?cost-report=COGS&metric=CPU+hours&\(range)",
            "/reports/portfolio?metrics=CPU+hours&\(range)",
        ]
    }

    @Test func everyPageRendersSafely() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        try await ConsoleSession.run(fixture) { session in
            let job = try #require(try await fixture.jobs().first)
            for uri in pages(fixture) + ["/jobs/\(job.id)"] {
                let response = try await session.get(uri)
                #expect(response.status == .ok, "\(uri): \(response.status) \(response.text.prefix(300))")
                let policy = try #require(response.headers[.contentSecurityPolicy], "\(uri)")
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "\(uri)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                let html = response.text
                // No customer name reaches the page unescaped, and no inline script or style at all.
                #expect(!html.contains("<script>alert"), "\(uri)")
                #expect(!html.contains("<style") && !html.contains(" style=") && !html.contains("<script>"), "\(uri)")
                #expect(!html.contains("onclick") && !html.contains("javascript:"), "\(uri)")
            }
            // Assets come from the binary.
            let css = try await session.get("/static/console.css")
            #expect(css.status == .ok && css.text.contains("prefers-color-scheme: dark"))
            let script = try await session.get("/static/console.js")
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await session.get("/metrics/999999").status == .notFound)
            #expect(try await session.get("/jobs/999999").status == .notFound)
            #expect(try await session.get("/reports/nope").status == .notFound)
            // Error answers carry the same headers.
            let missing = try await session.get("/no-such-page")
            #expect(missing.status == .notFound && missing.headers[.contentSecurityPolicy] != nil)
            // Errors are pages of the console, not bare JSON or an empty body.
            #expect(missing.headers[.contentType] == "text/html; charset=utf-8" && missing.text.contains("There is no page at /no-such-page."))
            let badDay = try await session.get("/metrics/\(fixture.usageMetric.id)?from=2026-13-01")
            #expect(badDay.status == .badRequest && badDay.text.contains("<nav") && !badDay.text.contains(#"{"error""#), "\(badDay.text)")
            // A report's bad input keeps the form, with the message above it.
            let reversed = try await session.get("/reports/top-customers?metric=CPU%20hours&from=2026-02-01&to=2026-01-01")
            #expect(reversed.status == .unprocessableContent, "\(reversed.status)")
            #expect(reversed.text.contains("to is before from") && reversed.text.contains(#"<select name="metric" required><option selected>CPU hours</option>"#), "\(reversed.text)")
            // A report's page offers every input of the report, not only the dates, with the request's choices.
            let margin = try await session.get("/reports/margin?revenue-metric=Revenue&cost-report=COGS&metric=CPU+hours").text
            #expect(margin.contains(#"<select name="revenue-metric" required><option selected>Revenue</option>"#), "\(margin)")
            #expect(margin.contains(#"<option selected>COGS</option>"#) && margin.contains(#"<option selected>CPU hours</option>"#))
            #expect(!margin.contains(#"type="hidden""#))
            let unallocated = try await session.get("/reports/margin?revenue-metric=Revenue&cost-report=COGS").text
            #expect(unallocated.contains(#"<option value="" selected>none</option>"#))
        }
    }

    @Test func hostileNamesAreEscapedAndIsolated() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        try await ConsoleSession.run(fixture) { session in
            let range = "from=\(fixture.from)&to=\(fixture.to)"
            for uri in [
                "/metrics/\(fixture.usageMetric.id)?\(range)", "/reports/top-customers?metric=CPU+hours&\(range)",
            ] {
                let html = try await session.get(uri).text
                #expect(
                    html.contains(
                        "<bdi>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; &quot;Sons&quot;</bdi>"
                    ), "\(uri)")
                #expect(html.contains("<bdi>\(ConsoleFixture.rightToLeftName)</bdi>"), "\(uri)")
            }
            // In the chart too (SVG text is escaped by the chart renderer).
            let metric = try await session.get("/metrics/\(fixture.usageMetric.id)?\(range)").text
            #expect(metric.contains("&lt;script&gt;alert"))
        }
    }

    @Test func metricPageAndCSVMatchTheCLI() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let cli = try MeterBridgeBinary.run(
            [
                "metric", "values", "--title", "CPU hours", "--from", "\(fixture.from)", "--to", "\(fixture.to)",
                "--format", "csv",
            ],
            database: fixture.database)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("O'Brien"))
        let list = try MeterBridgeBinary.run(["metric", "list", "--format", "csv"], database: fixture.database)
        try await ConsoleSession.run(fixture) { session in
            let csv = try await session.get(
                "/metrics/\(fixture.usageMetric.id)/values.csv?from=\(fixture.from)&to=\(fixture.to)")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text == cli.stdout)
            #expect(Array(csv.body.readableBytesView) == Array(cli.stdout.utf8))

            let page = try await session.get(
                "/metrics/\(fixture.usageMetric.id)?from=\(fixture.from)&to=\(fixture.to)&top=3"
            ).text
            let rows = MeterBridgeBinary.csvRows(cli.stdout)
            #expect(rows.count > 20)
            for row in rows where row.count == 4 && !row[1].contains(where: { "\"<>&'".contains($0) }) {
                // day, label, customer id (whole, never wrapped) and the amount, exact or on hover, in one row.
                let start = "<tr><td><bdi>\(row[0])</bdi></td><td><bdi>\(row[1])</bdi></td><td class=\"id\"><bdi>\(row[2])</bdi></td><td class=\"num\">"
                #expect(
                    page.contains(start + "<bdi>\(row[3])</bdi></td></tr>")
                        || page.contains(start + "<bdi title=\"\(row[3])\">"), "\(row)")
            }
            #expect(page.contains("<svg") && page.contains(">other</text>"))

            // The metrics list: the columns of `metric list`.
            let metrics = try await session.get("/metrics").text
            for row in MeterBridgeBinary.csvRows(list.stdout) {
                #expect(metrics.contains(">\(row[0])</a>") && metrics.contains(">\(NumberText.grouped(Int(row[6])!))</td>"), "\(row)")
            }
        }
    }

    /// Report cells read like the CLI's tables: numbers grouped and rounded with the exact value on hover,
    /// long names cut with the whole name on hover, ids whole on one line.
    @Test func reportCellsAreReadableWithTheExactTextOnHover() {
        let amount = ConsoleTable.Cell("1844448466666.66666667", column: "total")
        #expect(amount.text == "1,844,448,466,666.67" && amount.full == "1844448466666.66666667" && amount.cellClass == "num")
        let name = ConsoleTable.Cell(String(repeating: "n", count: 10_000), column: "customer")
        #expect(name.text?.count == 48 && name.text?.hasSuffix("…") == true && name.full?.count == 10_000 && name.cellClass == nil)
        let id = ConsoleTable.Cell("0a1b2c3d-0000-4000-8000-000000000001", column: "customer_id")
        #expect(id.text == "0a1b2c3d-0000-4000-8000-000000000001" && id.full == nil && id.cellClass == "id")
        #expect(ConsoleTable.Cell("70", column: "share_pct").full == nil)
    }

    /// Sorting a console table: numbers by value, text case-insensitively, empty cells last both ways,
    /// ties kept in their order.
    @Test func tableRowsSortByValueWithEmptyCellsLast() {
        let rows: [[String?]] = [["a", "9"], ["B", nil], ["c", "10"], ["d", "-2.5"], ["e", "10"], ["f", ""]]
        func order(_ index: Int, numeric: Bool, descending: Bool) -> [String] {
            ConsoleTable.sorted(rows, by: index, numeric: numeric, descending: descending).map { $0[0]! }
        }
        #expect(order(1, numeric: true, descending: false) == ["d", "a", "c", "e", "B", "f"])
        #expect(order(1, numeric: true, descending: true) == ["c", "e", "a", "d", "B", "f"])
        #expect(order(0, numeric: false, descending: true) == ["f", "e", "d", "c", "B", "a"])
        #expect(ConsoleTable.Sort("table-1:gross_margin_pct:asc") == ConsoleTable.Sort(table: "table-1", column: "gross_margin_pct", descending: false))
        #expect(ConsoleTable.Sort("table-1:x") == nil && ConsoleTable.Sort("a:b:up") == nil && ConsoleTable.Sort(nil) == nil)
    }

    /// Every report and metric table sorts by any column from its header's link, server-side, so a sorted
    /// page works without a script and can be linked to.
    @Test func reportAndMetricTablesSortFromTheirHeaders() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let cli = try MeterBridgeBinary.run(
            ["report", "margin", "--revenue-metric", "Revenue", "--cost-report", "COGS", "--from", "\(fixture.from)", "--to", "\(fixture.to)", "--format", "csv"],
            database: fixture.database)
        #expect(cli.status == 0, "\(cli.stderr)")
        let csv = MeterBridgeBinary.csvRows(cli.stdout)
        let columns = try #require(cli.stdout.split(separator: "\n").first).split(separator: ",").map(String.init)
        let margin = try #require(columns.firstIndex(of: "gross_margin_pct"))
        let id = try #require(columns.firstIndex(of: "customer_id"))
        let rows = csv.filter { $0.count == columns.count && !$0[id].isEmpty }.map { $0.map { Optional($0) } }
        #expect(rows.count >= 4)
        try await ConsoleSession.run(fixture) { session in
            let base = "/reports/margin?revenue-metric=Revenue&cost-report=COGS&from=\(fixture.from)&to=\(fixture.to)"
            let plain = try await session.get(base).text
            // Headers in words, each a link that sorts by it (numbers largest first).
            #expect(plain.contains(">Margin %</a></th>") && plain.contains(">Customer ID</a></th>"), "\(plain)")
            #expect(plain.contains("sort=table-1%3Agross_margin_pct%3Adesc#table-1"))
            #expect(plain.contains("sort=table-1%3Acustomer%3Aasc#table-1"))
            for descending in [false, true] {
                let html = try await session.get(base + "&sort=table-1:gross_margin_pct:\(descending ? "desc" : "asc")").text
                let expected = ConsoleTable.sorted(rows, by: margin, numeric: true, descending: descending).map { $0[id]! }
                let positions = expected.map { html.range(of: "<bdi>\($0)</bdi>")?.lowerBound }
                #expect(positions.allSatisfy { $0 != nil })
                #expect(zip(positions, positions.dropFirst()).allSatisfy { $0! < $1! }, "descending \(descending)")
                #expect(html.contains(#"aria-sort="\#(descending ? "descending" : "ascending")""#))
                // The header of the sorted column reverses it; the CSV link and the form do not carry the sort.
                #expect(html.contains("sort=table-1%3Agross_margin_pct%3A\(descending ? "asc" : "desc")#table-1"))
                #expect(!html.contains(#"name="sort""#))
            }
            // A metric's values by amount, largest first.
            let page = try await session.get(
                "/metrics/\(fixture.usageMetric.id)?from=\(fixture.from)&to=\(fixture.to)&sort=values:amount:desc").text
            let values = try MeterBridgeBinary.run(
                ["metric", "values", "--title", "CPU hours", "--from", "\(fixture.from)", "--to", "\(fixture.to)", "--format", "csv"],
                database: fixture.database)
            let amounts = MeterBridgeBinary.csvRows(values.stdout).compactMap { $0.count == 4 ? Decimal(string: $0[3]) : nil }
            let valuesTable = try #require(page.range(of: #"id="values""#).map { String(page[$0.upperBound...]) })
            let shown = valuesTable.components(separatedBy: #"<td class="num"><bdi"#).dropFirst().compactMap { cell -> Decimal? in
                // The exact amount: on hover when the shown one is rounded, else the text itself.
                if cell.hasPrefix(#" title=""#) { return Decimal(string: String(cell.dropFirst(8).prefix { $0 != "\"" })) }
                return Decimal(string: String(cell.dropFirst().prefix { $0 != "<" }))
            }
            #expect(shown.count == amounts.count)
            #expect(shown == amounts.sorted(by: >))
        }
    }

    /// The Unit economics page opens with the margin: revenue, COGS and gross margin of the last complete
    /// days against the days before, the lowest-margin customers and where the cost goes, each the margin
    /// report's own numbers and each linking to it.
    @Test func unitEconomicsPageOpensWithTheMargin() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        func csv(_ arguments: [String]) throws -> [[String]] {
            let run = try MeterBridgeBinary.run(
                ["report", "margin", "--revenue-metric", "Revenue", "--cost-report", "COGS", "--format", "csv"] + arguments,
                database: fixture.database)
            #expect(run.status == 0, "\(run.stderr)")
            return MeterBridgeBinary.csvRows(run.stdout)
        }
        let json = try MeterBridgeBinary.run(
            ["report", "margin", "--revenue-metric", "Revenue", "--cost-report", "COGS", "--last", "7d", "--format", "json"],
            database: fixture.database)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let from = try #require(object["from"] as? String), to = try #require(object["to"] as? String)
        let current = try csv(["--from", from, "--to", to])
        let previousFrom = UTCDay(from)!.adding(days: -7), previousTo = UTCDay(from)!.adding(days: -1)
        let previous = try csv(["--from", "\(previousFrom)", "--to", "\(previousTo)"])
        let total = try #require(current.first { $0.first == "(total)" })
        let previousTotal = try #require(previous.first { $0.first == "(total)" })
        try await ConsoleSession.run(fixture) { session in
            let html = try await session.get("/reports?days=7").text
            #expect(html.contains(#"id="margin-home""#))
            #expect(html.contains("Gross margin, \(from) to \(to)") && html.contains("\(previousFrom) to \(previousTo)"), "\(html)")
            // Revenue and COGS: the report's totals, exact on hover; the change against the days before.
            #expect(html.contains(#"<strong title="\#(total[2])">"#) && html.contains(#"<strong title="\#(total[3])">"#), "\(total)")
            let revenueChange = (Decimal(string: total[2])! - Decimal(string: previousTotal[2])!) / Decimal(string: previousTotal[2])! * 100
            #expect(html.contains("\(revenueChange < 0 ? "−" : "+")\(NumberText.grouped(abs(revenueChange), fractionDigits: 1)) % on the days before"))
            // The lowest margins, lowest first, and a link to every customer by margin.
            let customers = current.filter { $0.count == 7 && !$0[1].isEmpty && Decimal(string: $0[2]) != 0 }
                .sorted { Decimal(string: $0[5])! < Decimal(string: $1[5])! }
            let table = try #require(html.components(separatedBy: #"id="lowest-margin""#).last)
            let positions = customers.prefix(5).map { table.range(of: "<bdi>\($0[1])</bdi>")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil } && zip(positions, positions.dropFirst()).allSatisfy { $0! < $1! }, "\(customers.prefix(5))")
            #expect(html.contains("sort=table-1%3Agross_margin_pct%3Aasc#table-1"))
            // Where the cost goes: the parts add up to the report's COGS; the fixture's untagged VPC line is shared.
            let split = try #require(html.components(separatedBy: #"id="cost-split""#).last)
            let parts = split.components(separatedBy: #"<bdi title=""#).dropFirst().map { Decimal(string: String($0.prefix { $0 != "\"" }))! }
            #expect(parts.count == 3 && parts.reduce(0, +) == Decimal(string: total[3])!, "\(parts)")
            let vpcDays = parts[2] / Decimal(string: "3.5")!
            #expect(parts[2] > 0 && vpcDays == Decimal(Int(truncating: vpcDays as NSNumber)), "\(parts)")
            // Another choice of inputs is kept in the form; an unknown one falls back to the first.
            let unknown = try await session.get("/reports?cost-report=nope&revenue-metric=nope")
            #expect(unknown.status == .ok && unknown.text.contains("<option selected>COGS</option>"))
        }
    }

    @Test func reportsShowTheNumbersTheCLIPrints() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let range = ["--from", "\(fixture.from)", "--to", "\(fixture.to)", "--format", "csv"]
        let cases: [([String], String)] = [
            (["report", "top-customers", "--metric", "CPU hours"], "top-customers?metric=CPU+hours"),
            (
                ["report", "unit-cost", "--cost-report", "COGS", "--metric", "CPU hours", "--scale", "1000"],
                "unit-cost?cost-report=COGS&metric=CPU+hours&scale=1000"
            ),
            (
                ["report", "margin", "--revenue-metric", "Revenue", "--cost-report", "COGS"],
                "margin?revenue-metric=Revenue&cost-report=COGS"
            ),
            (
                ["report", "pricing", "--cost-report", "COGS", "--metric", "CPU hours"],
                "pricing?cost-report=COGS&metric=CPU+hours"
            ),
            (
                ["report", "allocate", "--cost-report", "COGS", "--metric", "CPU hours"],
                "allocate?cost-report=COGS&metric=CPU+hours"
            ),
            (["report", "portfolio", "--metrics", "CPU hours"], "portfolio?metrics=CPU+hours"),
        ]
        try await ConsoleSession.run(fixture) { session in
            for (arguments, uri) in cases {
                let cli = try MeterBridgeBinary.run(arguments + range, database: fixture.database)
                #expect(cli.status == 0, "\(arguments): \(cli.stderr)")
                let response = try await session.get("/reports/\(uri)&from=\(fixture.from)&to=\(fixture.to)")
                #expect(response.status == .ok, "\(uri)")
                let html = response.text
                let numbers = MeterBridgeBinary.csvRows(cli.stdout).flatMap { $0 }.filter { Double($0) != nil }
                #expect(!numbers.isEmpty, "\(arguments)")
                // Shown grouped and rounded for reading, the exact value on hover.
                for number in numbers {
                    #expect(html.contains(">\(number)</bdi>") || html.contains("title=\"\(number)\">"), "\(uri): \(number)")
                }
                // Its CSV download is byte for byte the CLI's CSV.
                let csv = try await session.get("/reports/\(uri)&from=\(fixture.from)&to=\(fixture.to)&format=csv")
                #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8", "\(uri)")
                #expect(csv.text == cli.stdout, "\(uri): the console's CSV differs from the CLI's")
                #expect(html.contains(#"id="report-csv""#), "\(uri)")
                // The "complete through" notice the CLI prints after the table.
                let completeness = try #require(cli.stderr.split(separator: "\n").last.map { String($0.dropFirst(2)) })
                #expect(html.contains(completeness.htmlEscaped), "\(uri): \(completeness)")
            }
            // A report that refuses says why instead of showing a number.
            let refused = try await session.get(
                "/reports/top-customers?metric=nope&from=\(fixture.from)&to=\(fixture.to)")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("class=\"error\""))
        }
    }

    /// The costs page says what each cost report matches, and a report that matches nothing says so with
    /// the near misses, as `cost-report show` does.
    @Test func costsPageShowsWhatEachCostReportMatches() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let created = try MeterBridgeBinary.run(
            ["cost-report", "create", "Typo", "--include", "service-category=compute"], database: fixture.database)
        #expect(created.status == 0, "\(created.stderr)")
        let pool = fixture.pool(size: 1)
        let store = CostReportStore(pool: pool)
        let rows = try await store.match(try await store.named("COGS").filters).report.rows
        await pool.close()
        #expect(rows > 0)
        try await ConsoleSession.run(fixture) { session in
            let html = try await session.get("/costs").text
            #expect(html.contains(#"<td class="num">\#(NumberText.grouped(rows))</td>"#), "\(html)")
            #expect(html.contains(#"<p class="error">"#) && html.contains("Compute"), "\(html)")
        }
    }

    @Test func overviewShowsConnectionsQueuesAndThroughput() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        try await ConsoleSession.run(fixture) { session in
            let html = try await session.get("/").text
            #expect(html.contains("<td>sandbox</td>"))
            #expect(html.contains("<meter min=\"0\" max=\"1000\""))
            #expect(html.contains("<svg class=\"sparkline\""))
            #expect(html.contains("data-live"))
            let completed = try #require(
                ConsoleSession.capture(#"<p class="muted">(\d+) completed in the last hour"#, in: html))
            #expect(Int(completed)! > 0)
            #expect(html.contains("<a href=\"/jobs?queue=backfill\">backfill</a>"))
        }
    }

    @Test func jobPagesShowArgsCursorAndErrors() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let pool = fixture.pool()
        let queue = JobQueue(pool: pool, logger: ConsoleFixture.logger)
        let name = "t-show-\(UInt32.random(in: 0...UInt32.max))"
        try await queue.enqueue(NewJob(kind: "import_usage", argsJSON: #"{"note":"<b>bold</b>"}"#, queue: name))
        let claimed = try #require(try await queue.claim(queues: [name], limit: 1, workerID: "w-<1>").first)
        try await queue.checkpoint(claimed.lease, cursor: ["next_page": "abc\"def"])
        _ = try await queue.fail(claimed, error: "HTTP 500 <html>", retryAfter: .seconds(3_600))
        await pool.close()
        try await ConsoleSession.run(fixture) { session in
            let html = try await session.get("/jobs/\(claimed.id)").text
            #expect(html.contains("&lt;b&gt;bold&lt;/b&gt;"))
            #expect(html.contains("abc\\&quot;def"))
            #expect(html.contains("HTTP 500 &lt;html&gt;"))
            #expect(html.contains(">retryable</dd>"))
            let list = try await session.get("/jobs?queue=\(name)").text
            #expect(list.contains("<a href=\"/jobs/\(claimed.id)\">\(claimed.id)</a>"))
            #expect(list.contains("1 job(s)"))
        }
    }
}

extension ConsoleFixture {
    func jobs() async throws -> [JobRecord] {
        let pool = pool(size: 1)
        let jobs = try await JobQueue(pool: pool, logger: Self.logger).admin.list(JobQueue.Filter(), limit: 10)
        await pool.close()
        return jobs
    }
}
