public import Foundation
public import Metronome

/// The planner's, workers' and status's idea of "now".
///
/// In production it is the system clock. For tests and benchmarks, `METERBRIDGE_TODAY=YYYY-MM-DD` pins
/// the UTC day while the time of day keeps running, so a test can advance days (and watch the daily
/// sync settle into its steady state) without waiting for them. Syncs of a day or longer are scheduled
/// by day, so a pinned day is all such a test needs.
public struct ImportClock: Sendable {
    public static let environmentVariable = "METERBRIDGE_TODAY"

    /// The pinned day, if any.
    public let pinnedDay: UTCDay?

    public init(pinnedDay: UTCDay? = nil) { self.pinnedDay = pinnedDay }

    public static let system = ImportClock()

    public struct InvalidDay: Error, CustomStringConvertible {
        public var text: String
        public var description: String { "\(ImportClock.environmentVariable) must be a day YYYY-MM-DD, not \"\(text)\"" }
    }

    /// The clock that `METERBRIDGE_TODAY` asks for (the system clock when it is unset or empty).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ImportClock
    {
        guard let text = environment[environmentVariable], !text.isEmpty else { return .system }
        guard let day = UTCDay(text) else { throw InvalidDay(text: text) }
        return ImportClock(pinnedDay: day)
    }

    public var now: Date {
        let real = Date()
        guard let pinnedDay else { return real }
        let secondOfDay = real.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400)
        return Date(timeIntervalSince1970: Double(pinnedDay.daysSinceEpoch) * 86_400 + secondOfDay)
    }

    public var today: UTCDay { pinnedDay ?? UTCDay(containing: Date()) }
}
