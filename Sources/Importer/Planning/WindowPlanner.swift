public import Metronome

/// Decides which day windows of a metric still need importing.
///
/// History splits in two. **Backfill** covers `[since, syncStart)`: windows on a fixed grid anchored at
/// `since`, each `windowDays` wide (as wide as one API page allows, to spend the fewest requests), and
/// only the parts not yet covered. Once imported, these days are final. **Sync** re-imports the trailing
/// `[syncStart, today + 1)` every cycle, because Metronome accepts usage backdated 34 days and draft
/// invoices change until finalized.
public struct WindowPlanner: Sendable {
    public var windowDays: Int
    public var lookbackDays: Int

    public init(windowDays: Int, lookbackDays: Int) {
        precondition(windowDays > 0 && lookbackDays > 0)
        self.windowDays = windowDays
        self.lookbackDays = lookbackDays
    }

    /// The first day the trailing sync re-imports.
    public func syncStart(today: UTCDay, since: UTCDay) -> UTCDay {
        max(since, today.adding(days: 1 - lookbackDays))
    }

    /// The sync window (always present once `since` is not in the future).
    public func syncWindow(today: UTCDay, since: UTCDay) -> DayRange? {
        let start = syncStart(today: today, since: since)
        let end = today.adding(days: 1)
        return start < end ? DayRange(start: start, end: end) : nil
    }

    /// Backfill windows not covered yet, oldest first, each within one grid cell.
    public func backfillWindows(today: UTCDay, since: UTCDay, covered: DaySet) -> [DayRange] {
        let end = syncStart(today: today, since: since)
        guard since < end else { return [] }
        var windows: [DayRange] = []
        var cellStart = since
        while cellStart < end {
            let cellEnd = min(cellStart.adding(days: windowDays), end)
            windows += covered.missing(in: DayRange(start: cellStart, end: cellEnd))
            cellStart = cellEnd
        }
        return windows
    }
}
