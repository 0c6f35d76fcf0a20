import ArgumentParser
import Logging
import MetronomeSandbox

/// `metronome-sandbox bench`: how many 200-window usage pages per second the sandbox serves.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the sandbox: walk /v1/usage with a load client that does not decode responses.",
        discussion: """
            Starts the sandbox in-process on 127.0.0.1 (port 0) with rate limiting and faults off, then \
            walks usage cursors for single customers from --concurrency connections for --seconds, and \
            prints usage pages per second. Build with -c release for meaningful numbers.
            """
    )

    @Option(help: "Customers in the benchmark account.")
    var customers: Int = 16

    @Option(help: "Billable metrics in the benchmark account.")
    var billableMetrics: Int = 4

    @Option(help: "Days queried per walk (a multiple of --windows-per-page keeps every page full).")
    var days: Int = 800

    @Option(help: "Windows per usage page.")
    var windowsPerPage: Int = 200

    @Option(help: "Concurrent cursor walks (connections).")
    var concurrency: Int = 4

    @Option(help: "How long to measure, in seconds.")
    var seconds: Double = 5

    func validate() throws {
        guard customers >= 1, billableMetrics >= 1, days >= 1 else {
            throw ValidationError("--customers, --billable-metrics and --days must be at least 1")
        }
        guard (1...10_000).contains(windowsPerPage) else {
            throw ValidationError("--windows-per-page must be 1...10000")
        }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1...256") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
    }

    func run() async throws {
        var logger = Logger(label: "metronome-sandbox.bench")
        logger.logLevel = .warning
        let lastDay = CivilDay(year: 2026, month: 1, day: 1)!
        let configuration = SandboxConfiguration(
            port: 0,
            tokens: ["bench-token"],
            account: AccountParameters(
                seed: 1,
                customerCount: customers,
                billableMetricCount: billableMetrics,
                dayCount: days,
                lastDay: lastDay
            ),
            rateLimit: 0,
            usageWindowsPerPage: windowsPerPage
        )
        let sandbox = MetronomeSandbox(configuration: configuration)
        let customerIDs = sandbox.account.customers.map(\.id)
        let firstDay = sandbox.account.firstDay
        let options = self
        let result = try await sandbox.withRunning(logger: logger) { running in
            try await UsageLoadClient(
                baseURL: running.baseURL,
                token: "bench-token",
                customerIDs: customerIDs,
                startingOn: "\(firstDay)T00:00:00Z",
                endingBefore: "\(lastDay.adding(days: 1))T00:00:00Z"
            ).run(concurrency: options.concurrency, duration: .milliseconds(Int64(options.seconds * 1000)))
        }
        let pagesPerSecond = Double(result.pages) / result.elapsedSeconds
        let megabytesPerSecond = Double(result.bytes) / result.elapsedSeconds / 1_000_000
        print(
            "usage pages/s: \(String(format2: pagesPerSecond)) (\(result.pages) pages of up to \(windowsPerPage) windows "
                + "in \(String(format2: result.elapsedSeconds)) s, \(String(format2: megabytesPerSecond)) MB/s, "
                + "\(result.failures) failures, concurrency \(concurrency))"
        )
        if result.failures > 0 { throw ExitCode(1) }
    }
}

extension String {
    /// Two decimals, without Foundation's `String(format:)`.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = abs(hundredths % 100)
        self = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
