/// Why a window was rejected before sending.
public enum DayWindowError: Error, Hashable, Sendable, CustomStringConvertible {
    case notMidnightUTC(bound: String)
    case shorterThanOneDay

    public var description: String {
        switch self {
        case .notMidnightUTC(let bound): "\(bound) must be exactly 00:00:00 UTC"
        case .shorterThanOneDay: "ending_before must be at least one day after starting_on"
        }
    }
}
