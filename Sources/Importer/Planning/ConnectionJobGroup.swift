import Foundation
public import JobQueue

/// Every job of a Metronome connection belongs to the connection's job group, whose cap is the number of
/// its jobs that can keep its request budget busy (Little's law): `rate × pageSeconds` requests are in
/// flight at once when each page (the API's answer and the page's commit) takes `pageSeconds`, plus one
/// job between pages. More would only wait for the budget in a worker slot that another connection's job
/// could use; the claim serves the connections with the fewest jobs running first.
public enum ConnectionJobGroup {
    /// The seconds one page is assumed to take, answer and commit, when sizing the cap: an API answer
    /// over the internet takes tens to hundreds of milliseconds; the default leaves room for 400 ms.
    public static let defaultPageSeconds = 0.5

    /// The largest cap, so one misconfigured rate cannot claim a whole fleet.
    public static let largestCap = 256

    public static func key(connectionID: Int64) -> String { "connection:\(connectionID)" }

    /// Jobs of a connection with `requestsPerSecond` that may run at once.
    public static func cap(requestsPerSecond: Double, pageSeconds: Double = defaultPageSeconds) -> Int {
        guard requestsPerSecond.isFinite, requestsPerSecond > 0, pageSeconds.isFinite, pageSeconds > 0 else { return 2 }
        let inFlight = (requestsPerSecond * pageSeconds).rounded(.up)
        return Int(min(Double(largestCap), max(2, inFlight + 1)))
    }

    public static func group(connectionID: Int64, requestsPerSecond: Double, pageSeconds: Double = defaultPageSeconds)
        -> JobGroup
    {
        JobGroup(key: key(connectionID: connectionID), maxRunning: cap(requestsPerSecond: requestsPerSecond, pageSeconds: pageSeconds))
    }
}
