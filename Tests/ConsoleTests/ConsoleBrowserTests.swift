import Console
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The console in a real browser: headless Chromium loads each page from a live server over the filled
/// database; the rendered DOM holds the numbers `metric values` and the reports print, and the page logs
/// nothing to the console (no script error, no Content-Security-Policy violation).
/// With `CONSOLE_SCREENSHOTS=DIR` it also saves a screenshot of each page there (as in docs/console/).
@Suite("Console in a browser")
struct ConsoleBrowserTests {
    struct Page {
        var name: String
        var path: String
        var expected: [String]
    }

    @Test(.timeLimit(.minutes(3))) func everyPageRendersWithoutConsoleErrors() async throws {
        let chromium = try Chromium.find()
        // First, that this Chromium reports console messages the way the checks below read them.
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent(
            "console-probe-\(UUID().uuidString).html")
        try Data(#"<html><body><script>console.error("probe-message")</script><h1>probe</h1></body></html>"#.utf8)
            .write(to: probe)
        defer { try? FileManager.default.removeItem(at: probe) }
        let probed = try await chromium.dumpDOM(probe.absoluteString)
        #expect(probed.dom.contains("<h1>probe</h1>"))
        #expect(
            probed.console.contains { $0.contains("probe-message") },
            "console messages are not detected: \(probed.console)")
        let fixture = try await ConsoleFixture.shared.get()
        let range = "from=\(fixture.from)&to=\(fixture.to)"
        let values = try MeterBridgeBinary.run(
            [
                "metric", "values", "--title", "CPU hours", "--from", "\(fixture.from)", "--to", "\(fixture.to)",
                "--format", "csv",
            ],
            database: fixture.database)
        let margin = try MeterBridgeBinary.run(
            [
                "report", "margin", "--revenue-metric", "Revenue", "--cost-report", "COGS", "--from", "\(fixture.from)",
                "--to",
                "\(fixture.to)", "--format", "csv",
            ], database: fixture.database)
        let top = try MeterBridgeBinary.run(
            [
                "report", "top-customers", "--metric", "CPU hours", "--from", "\(fixture.from)", "--to",
                "\(fixture.to)", "--format", "csv",
            ],
            database: fixture.database)
        func numbers(_ csv: String, limit: Int) -> [String] {
            Array(
                MeterBridgeBinary.csvRows(csv).filter { $0.count >= 4 }.flatMap { $0 }.filter {
                    Double($0) != nil && $0.count > 1
                }.prefix(limit))
        }
        let job = try #require(try await fixture.jobs().first)
        let pages = [
            Page(name: "overview", path: "/", expected: ["sandbox", "backfill"]),
            Page(name: "metrics", path: "/metrics", expected: ["CPU hours", "Revenue"]),
            Page(
                name: "metric", path: "/metrics/\(fixture.usageMetric.id)?\(range)",
                expected: numbers(values.stdout, limit: 12)),
            Page(name: "jobs", path: "/jobs", expected: ["\(job.id)"]),
            Page(name: "job", path: "/jobs/\(job.id)", expected: [job.kind]),
            Page(name: "reports", path: "/reports", expected: ["Top customers", "COGS"]),
            Page(
                name: "report-top-customers", path: "/reports/top-customers?metric=CPU+hours&\(range)",
                expected: numbers(top.stdout, limit: 12)),
            Page(
                name: "report-margin", path: "/reports/margin?revenue-metric=Revenue&cost-report=COGS&\(range)",
                expected: numbers(margin.stdout, limit: 20)),
            Page(name: "costs", path: "/costs", expected: ["cloud", "COGS"]),
        ]
        let screenshots = ProcessInfo.processInfo.environment["CONSOLE_SCREENSHOTS"]
        let pool = fixture.pool()
        let server = ConsoleServer(
            configuration: ConsoleConfiguration(host: "127.0.0.1", port: 0), pool: pool, logger: ConsoleFixture.logger)
        do {
            try await server.application().test(.live) { client in
                let port = try #require(client.port)
                // Live updates: after 5 s the script refetches the page and swaps the live sections in.
                let live = try await chromium.dumpDOM("http://127.0.0.1:\(port)/", virtualMilliseconds: 8_000)
                #expect(live.dom.contains(#"<span id="live-status">updated "#), "\(live.dom.prefix(2_000))")
                #expect(live.console.isEmpty, "\(live.console)")
                // A table sorted from its header: the browser shows the margin report's rows lowest margin
                // first, in the order of the CLI's rows sorted the same way (empty margins last).
                let sortedMargin = try await chromium.dumpDOM(
                    "http://127.0.0.1:\(port)/reports/margin?revenue-metric=Revenue&cost-report=COGS&\(range)&sort=table-1:gross_margin_pct:asc")
                #expect(sortedMargin.console.isEmpty, "\(sortedMargin.console)")
                let marginRows = MeterBridgeBinary.csvRows(margin.stdout).filter { $0.count == 7 && !$0[1].isEmpty }
                let expectedOrder = marginRows.sorted { lhs, rhs in
                    switch (Decimal(string: lhs[5]), Decimal(string: rhs[5])) {
                    case (let l?, let r?): l < r
                    case (_?, nil): true
                    default: false
                    }
                }.map { $0[1] }
                let shownAt = expectedOrder.map { sortedMargin.dom.range(of: ">\($0)</bdi>")?.lowerBound }
                #expect(expectedOrder.count >= 4 && shownAt.allSatisfy { $0 != nil }, "\(expectedOrder)")
                #expect(zip(shownAt, shownAt.dropFirst()).allSatisfy { $0! < $1! }, "rows not in margin order")
                #expect(sortedMargin.dom.contains(#"aria-sort="ascending""#))
                for page in pages {
                    let url = "http://127.0.0.1:\(port)\(page.path)"
                    let run = try await chromium.dumpDOM(url)
                    #expect(run.dom.contains("<h1>"), "\(page.name): \(run.dom.prefix(300)) \(run.console)")
                    #expect(run.console.isEmpty, "\(page.name): \(run.console)")
                    #expect(!page.expected.isEmpty, "\(page.name)")
                    for text in page.expected { #expect(run.dom.contains(text), "\(page.name): \(text)") }
                    if let screenshots {
                        try await chromium.screenshot(
                            url, to: "\(screenshots)/\(page.name).png", width: 1280, height: 900)
                        if page.name == "metric" {
                            try await chromium.screenshot(
                                url, to: "\(screenshots)/\(page.name)-dark.png", width: 1280, height: 900, dark: true)
                        }
                        if page.name == "overview" || page.name == "metric" {
                            try await chromium.screenshot(
                                url, to: "\(screenshots)/\(page.name)-phone.png", width: 390, height: 844)
                        }
                    }
                }
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}

/// Headless Chromium, run as a process per page (its own throwaway profile).
struct Chromium: Sendable {
    let path: String

    static func find() throws -> Chromium {
        let environment = ProcessInfo.processInfo.environment
        let candidates =
            [environment["CHROMIUM"]].compactMap { $0 }
            + (environment["PATH"] ?? "/usr/bin").split(separator: ":").flatMap {
                ["\($0)/chromium", "\($0)/chromium-browser"]
            }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestDatabaseError(
                description: "chromium is not installed: run the tests with scripts/test, which installs it")
        }
        return Chromium(path: path)
    }

    struct DOMRun { var dom: String; var console: [String] }

    /// The DOM after scripts ran, and every line the page logged to the console.
    /// `virtualMilliseconds` of page time pass (timers fire) before the DOM is taken.
    func dumpDOM(_ url: String, virtualMilliseconds: Int = 2_000) async throws -> DOMRun {
        let (stdout, stderr) = try await run(["--dump-dom", "--virtual-time-budget=\(virtualMilliseconds)", url])
        // With --enable-logging=stderr, console messages (CSP violations included) are logged as
        // "INFO:CONSOLE:LINE] "message", source: URL" (older versions: "CONSOLE(LINE)").
        let console = stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }.map(
            String.init)
        return DOMRun(dom: stdout, console: console)
    }

    /// With `dark`, the page sees `prefers-color-scheme: dark`.
    func screenshot(_ url: String, to path: String, width: Int, height: Int, dark: Bool = false) async throws {
        let scheme = dark ? ["--blink-settings=preferredColorScheme=0"] : []
        _ = try await run(
            ["--screenshot=\(path)", "--window-size=\(width),\(height)", "--hide-scrollbars"] + scheme + [url])
    }

    /// Runs Chromium off Swift's cooperative threads (it blocks while the page loads from this process's server).
    private func run(_ arguments: [String]) async throws -> (String, String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "console-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--enable-logging=stderr", "--v=0",
            "--user-data-dir=\(profile.path)", "--timeout=30000",
        ]
        let executable = URL(fileURLWithPath: path)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    // Both pipes are read at once, so neither fills up and blocks the browser; a browser
                    // that outlives twice its own --timeout is killed.
                    let run = try BuiltBinary.run(
                        executable, common + arguments, environment: ProcessInfo.processInfo.environment, deadlineSeconds: 60)
                    continuation.resume(returning: (run.stdout, run.stderr))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
