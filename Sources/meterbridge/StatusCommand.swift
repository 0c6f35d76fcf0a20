import ArgumentParser
import CommandSupport
import TextOutput
import Foundation
import Importer

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Connections and metrics: health, completeness, jobs, request rate, progress and ETA.",
        discussion: """
            Examples:
              meterbridge status
              meterbridge status --watch            # redraws every 2 s with progress bars (plain lines off a terminal)
              meterbridge status --format json
            """)

    @Option(help: "table or json.") var format: OutputFormat = .table
    @Flag(help: "Keep redrawing until interrupted.") var watch = false
    @Option(help: "Seconds between redraws with --watch.") var interval = 2.0
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if format == .csv { throw ValidationError("status prints table or json") }
        if interval <= 0 { throw ValidationError("--interval must be positive") }
    }

    func run() async throws {
        let terminal = isatty(STDOUT_FILENO) == 1
        let clock: ImportClock
        do { clock = try ImportClock.fromEnvironment() } catch { throw ValidationError("\(error)") }
        try await CLIContext.run(database) { context in
            repeat {
                let status = try await ImportStatus.load(pool: context.pool, today: clock.today)
                let text = format == .json ? Self.json(status) : Self.table(status, bars: terminal)
                if watch && terminal {
                    print("\u{1B}[H\u{1B}[2J" + "meterbridge status — \(Timestamps.format(Date()))\n")
                }
                print(text)
                if watch {
                    if !terminal { print("") }
                    fflush(nil)
                    try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                }
            } while watch
        }
    }

    static func json(_ status: ImportStatus) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? encoder.encode(status)) ?? Data(), as: UTF8.self)
    }

    static func table(_ status: ImportStatus, bars: Bool) -> String {
        var lines: [String] = []
        var connectionRows: [[String?]] = status.connections.map {
            [
                $0.name, $0.status, String(format: "%.1f/s", $0.currentRate), "\($0.rateLimit)/s", PlanText.percent($0.budgetUse),
                $0.plan.map { PlanText.count($0.backfillRequests) } ?? "-", $0.plan.map { $0.backfillSeconds.map(duration) ?? "never" } ?? "-",
                String($0.requests), String($0.rateLimited), $0.lastError,
            ]
        }
        if status.connections.count > 1 {
            let total = status.total
            connectionRows.append([
                "total", "\(total.activeConnections)/\(total.connections) active", String(format: "%.1f/s", total.currentRate),
                "\(PlanText.number(total.budget))/s", PlanText.percent(total.budgetUse), PlanText.count(total.requestsLeft),
                total.etaSeconds.map(duration) ?? "-", String(status.connections.reduce(0) { $0 + $1.requests }), String(total.rateLimited), nil,
            ])
        }
        lines.append(
            TableOutput(
                columns: ["connection", "status", "rate", "budget", "use", "left", "eta", "requests", "429s", "last_error"],
                rows: connectionRows
            ).table())
        let plans = status.connections.compactMap { connection in
            connection.plan.map {
                "  \(connection.name): " + PlanText.summary($0, rate: NSDecimalNumber(decimal: connection.rateLimit).doubleValue)
            }
        }
        if !plans.isEmpty {
            lines.append("")
            lines.append("Plan:")
            lines += plans
        }
        lines.append("")
        lines.append(
            TableOutput(
                columns: ["metric", "connection", "state", "complete_through", "rows", "jobs", "progress", "eta"],
                rows: status.metrics.map { metric in
                    let jobs = ["running", "available", "retryable", "discarded"].compactMap { state in
                        metric.jobs[state].map { "\(state) \($0)" }
                    }.joined(separator: ", ")
                    return [
                        metric.title, metric.connection, metric.state.rawValue, metric.completeThrough ?? "-", String(metric.rows),
                        jobs.isEmpty ? "-" : jobs, progress(metric.percentDone, bar: bars), metric.etaSeconds.map(duration) ?? "-",
                    ]
                }
            ).table())
        let errors = status.metrics.flatMap { metric in metric.newestErrors.map { "  \(metric.title): \($0)" } }
        if !errors.isEmpty {
            lines.append("")
            lines.append("Newest errors:")
            lines += errors
        }
        return lines.joined(separator: "\n")
    }

    static func progress(_ percent: Double, bar: Bool) -> String {
        let text = String(format: "%5.1f%%", percent)
        guard bar else { return text }
        let filled = Int((percent / 100 * 20).rounded())
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] " + text
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3_600 { return "\(total / 60)m \(total % 60)s" }
        return "\(total / 3_600)h \(total / 60 % 60)m"
    }
}
