public import Metronome

/// Decides which day windows of one (metric, customer batch) to import now. Pure: it sees what is
/// covered, what queued jobs will cover, and whether the refreshes are due.
///
/// - **Missing history** (days never imported, nor queued) is cut into `windowDays`-wide windows from
///   its newest end backwards, so the newest days arrive first and a first import needs exactly the
///   pages the paging rules require: its newest window includes the trailing sync range at no extra
///   page.
/// - **The sync** re-imports the trailing `lookbackDays` (Metronome accepts usage backdated 34 days and
///   draft invoices change until finalized) when due. Days that appear inside that range after the
///   last sync (a new day) wait for the next sync instead of costing a page each.
/// - **The hot refresh** re-imports the last `hotDays` when due and the sync is not.
public struct WindowPlanner: Sendable {
    public var windowDays: Int
    public var lookbackDays: Int
    public var hotDays: Int

    public init(windowDays: Int, lookbackDays: Int, hotDays: Int = 2) {
        precondition(windowDays > 0 && lookbackDays > 0 && hotDays > 0)
        self.windowDays = windowDays
        self.lookbackDays = lookbackDays
        self.hotDays = hotDays
    }

    /// Which refresh of the recent days is due now.
    public enum Refresh: Sendable, Equatable { case none, hot, sync }

    /// Why a window is imported: it refreshes the sync range (a due sync, or a first import's newest
    /// window), refreshes the hot days, or fills history.
    public enum Role: String, Sendable, Equatable, Codable { case sync, hot, backfill }

    public struct Window: Sendable, Equatable, CustomStringConvertible {
        public var range: DayRange
        public var role: Role
        public init(_ range: DayRange, _ role: Role) {
            self.range = range
            self.role = role
        }
        public var description: String { "\(role) \(range)" }
    }

    /// The trailing range the sync re-imports.
    public func syncWindow(today: UTCDay, since: UTCDay) -> DayRange? {
        trailing(lookbackDays, today: today, since: since)
    }

    /// The trailing range the hot refresh re-imports.
    public func hotWindow(today: UTCDay, since: UTCDay) -> DayRange? {
        trailing(min(hotDays, lookbackDays), today: today, since: since)
    }

    private func trailing(_ days: Int, today: UTCDay, since: UTCDay) -> DayRange? {
        let end = today.adding(days: 1)
        let start = max(since, today.adding(days: 1 - days))
        return start < end ? DayRange(start: start, end: end) : nil
    }

    /// The windows to import now, newest first. `covered`: days imported; `pending`: days that queued
    /// or running jobs will import, and days whose job failed for good (an operator retries those).
    public func windows(today: UTCDay, since: UTCDay, covered: DaySet, pending: DaySet, refresh: Refresh) -> [Window] {
        guard let sync = syncWindow(today: today, since: since) else { return [] }
        let history = DayRange(start: since, end: sync.end)
        var blocked = covered
        for range in pending.ranges { blocked.insert(range) }
        var need = DaySet()
        // Gaps that start inside the sync range wait for the sync; longer gaps are history.
        for gap in blocked.missing(in: history) where gap.start < sync.start { need.insert(gap) }
        switch refresh {
        case .sync: for range in pending.missing(in: sync) { need.insert(range) }
        case .hot: if let hot = hotWindow(today: today, since: since) { for range in pending.missing(in: hot) { need.insert(range) } }
        case .none: break
        }
        // A window that ends today and takes in every sync day not already queued is a sync.
        let syncLeft = pending.missing(in: sync)
        var windows: [Window] = []
        for range in need.ranges.reversed() {
            var end = range.end
            while end > range.start {
                let start = max(range.start, end.adding(days: -windowDays))
                let role: Role =
                    end != sync.end ? .backfill
                    : !syncLeft.isEmpty && syncLeft.allSatisfy({ $0.start >= start }) ? .sync
                    : refresh == .hot ? .hot : .backfill
                windows.append(Window(DayRange(start: start, end: end), role))
                end = start
            }
        }
        return windows
    }
}
