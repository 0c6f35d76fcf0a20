public import ArgumentParser
import Foundation
public import Importer

/// The planning flags, shared by `meterbridge-planner` and `meterbridge plan` so the dry run shows
/// exactly what the planner will do.
public struct PlanOptions: ParsableArguments {
    @Option(help: "Days each sync re-imports (Metronome accepts usage backdated 34 days).") public var lookbackDays = 35
    @Option(help: "Re-import the trailing --lookback-days this often: 24h, 90m, 3600s or 2d.")
    public var syncInterval: Interval = Interval(seconds: 86_400)
    @Option(help: "Days the hot refresh re-imports.") public var hotDays = 2
    @Option(help: "Re-import the last --hot-days this often, e.g. 1h (off unless set).") public var hotInterval: Interval?
    @Option(
        help: "Largest share of each connection's request budget for the sync, hot refresh and catalog: 30% or 0.3. Longer intervals keep it.")
    public var syncBudgetShare: Share = Share(fraction: 0.30)
    @Option(help: "Days per usage job (one API page holds 200 daily windows).") public var usageWindowDays = 200
    @Option(help: "Days per revenue job (a breakdown page holds 35 days; longer jobs page longer, one customer after another).")
    public var revenueWindowDays = PageCost.revenueDaysPerPage
    @Option(help: "Stop adding backfill jobs while this many wait.") public var maxBacklog = 10_000
    @Option(help: "Refresh each connection's catalog this often.") public var catalogInterval: Interval = Interval(seconds: 86_400)
    @Option(
        help: """
            Seconds one page takes, the API's answer and its commit, for sizing how many of a connection's jobs \
            run at once (its rate × this, plus one). Raise it for an API that answers slower than 400 ms.
            """)
    public var pageSeconds = ConnectionJobGroup.defaultPageSeconds

    public init() {}

    public func validate() throws {
        guard lookbackDays >= 1 else { throw ValidationError("--lookback-days must be at least 1") }
        guard hotDays >= 1 else { throw ValidationError("--hot-days must be at least 1") }
        guard (1...200).contains(usageWindowDays) else { throw ValidationError("--usage-window-days must be 1…200") }
        guard revenueWindowDays >= 1 else { throw ValidationError("--revenue-window-days must be at least 1") }
        guard lookbackDays <= min(usageWindowDays, revenueWindowDays) else {
            throw ValidationError("--lookback-days must fit in one window (at most --usage-window-days and --revenue-window-days)")
        }
        guard maxBacklog >= 0 else { throw ValidationError("--max-backlog must not be negative") }
        guard pageSeconds.isFinite, pageSeconds > 0, pageSeconds <= 60 else { throw ValidationError("--page-seconds must be in (0, 60]") }
        _ = try clock()
    }

    public var options: ImportPlanner.Options {
        var options = ImportPlanner.Options()
        options.lookbackDays = lookbackDays
        options.usageWindowDays = usageWindowDays
        options.revenueWindowDays = revenueWindowDays
        options.maxBacklog = maxBacklog
        options.catalogInterval = .seconds(catalogInterval.seconds)
        options.syncInterval = .seconds(syncInterval.seconds)
        options.hotDays = hotDays
        options.hotInterval = hotInterval.map { .seconds($0.seconds) }
        options.syncBudgetShare = syncBudgetShare.fraction
        options.pageSeconds = pageSeconds
        return options
    }

    /// The clock `METERBRIDGE_TODAY` asks for, or a clear error.
    public func clock() throws -> ImportClock {
        do { return try ImportClock.fromEnvironment() } catch { throw ValidationError("\(error)") }
    }
}

/// A time interval on the command line: a number with a unit (s, m, h, d; seconds without one).
public struct Interval: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    public init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        let (number, scale) = units.first { text.hasSuffix($0.0) }.map { (String(text.dropLast()), $0.1) } ?? (text, 1)
        guard let value = Double(number), value.isFinite, value > 0, value * scale <= 366 * 86_400 else { return nil }
        seconds = value * scale
    }

    public var description: String { Self.format(seconds) }

    public static func format(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole % 86_400 == 0 { return "\(whole / 86_400)d" }
        if whole % 3_600 == 0 { return "\(whole / 3_600)h" }
        if whole % 60 == 0 { return "\(whole / 60)m" }
        return "\(whole)s"
    }

    public static var defaultCompletionKind: CompletionKind { .default }
}

/// A share of a budget: `30%` or `0.3`, more than 0 and at most 100 %.
public struct Share: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    public var fraction: Double

    public init(fraction: Double) { self.fraction = fraction }

    public init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        let value = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let value, value > 0, value <= 1 else { return nil }
        fraction = value
    }

    public var description: String { "\(Int((fraction * 100).rounded()))%" }
}
