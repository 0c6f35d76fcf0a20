import Foundation
import Importer
import Metronome
import Testing

@Suite("Window planning", .timeLimit(.minutes(5)))
struct PlanningTests {
    let today = UTCDay("2026-11-26")!

    func range(_ start: String, _ end: String) -> DayRange { DayRange(start: UTCDay(start)!, end: UTCDay(end)!) }

    @Test func daySetMergesAndFindsGaps() {
        var set = DaySet([range("2026-01-01", "2026-01-05"), range("2026-01-10", "2026-01-12")])
        set.insert(range("2026-01-05", "2026-01-07"))  // adjacent: merges
        #expect(set.ranges == [range("2026-01-01", "2026-01-07"), range("2026-01-10", "2026-01-12")])
        #expect(set.missing(in: range("2025-12-30", "2026-01-15")) == [
            range("2025-12-30", "2026-01-01"), range("2026-01-07", "2026-01-10"), range("2026-01-12", "2026-01-15"),
        ])
        #expect(set.completeThrough(from: UTCDay("2026-01-01")!) == UTCDay("2026-01-06"))
        #expect(set.completeThrough(from: UTCDay("2025-12-31")!) == nil)
    }

    func windows(
        _ planner: WindowPlanner, since: String, covered: [DayRange] = [], pending: [DayRange] = [],
        refresh: WindowPlanner.Refresh = .none
    ) -> [WindowPlanner.Window] {
        planner.windows(today: today, since: UTCDay(since)!, covered: DaySet(covered), pending: DaySet(pending), refresh: refresh)
    }

    /// A first import cuts whole windows from today backwards: the newest first, the sync range inside
    /// the first window, so 300 days cost 2 pages per pair, not 3.
    @Test func firstImportIsNewestFirstWithTheSyncInsideTheFirstWindow() {
        let planner = WindowPlanner(windowDays: 200, lookbackDays: 35)
        #expect(planner.syncWindow(today: today, since: UTCDay("2025-01-01")!) == range("2026-10-23", "2026-11-27"))
        let first = windows(planner, since: "2026-01-31", refresh: .sync)  // 300 days
        #expect(first == [
            .init(range("2026-05-11", "2026-11-27"), .sync), .init(range("2026-01-31", "2026-05-11"), .backfill),
        ])
        #expect(first.reduce(0) { $0 + PageCost.usage(days: $1.range.days, customers: 1) } == 2)
        // No refresh due changes nothing for a first import: the newest window still refreshes the sync.
        #expect(windows(planner, since: "2026-01-31") == first)
    }

    @Test func queuedAndCoveredDaysAreNotPlannedAgain() {
        let planner = WindowPlanner(windowDays: 200, lookbackDays: 35)
        // The first window is queued (planned yesterday, say): only older history is planned.
        #expect(windows(planner, since: "2026-01-31", pending: [range("2026-05-10", "2026-11-26")]) == [
            .init(range("2026-01-31", "2026-05-10"), .backfill)
        ])
        // Everything covered and the sync fresh: a new day waits for the next sync instead of costing a page.
        #expect(windows(planner, since: "2026-01-31", covered: [range("2026-01-31", "2026-11-26")]).isEmpty)
        // A due sync re-imports the trailing lookback only.
        #expect(windows(planner, since: "2026-01-31", covered: [range("2026-01-31", "2026-11-26")], refresh: .sync) == [
            .init(range("2026-10-23", "2026-11-27"), .sync)
        ])
        // A hot refresh re-imports the last two days.
        #expect(windows(planner, since: "2026-01-31", covered: [range("2026-01-31", "2026-11-27")], refresh: .hot) == [
            .init(range("2026-11-25", "2026-11-27"), .hot)
        ])
        // A sync already queued is not planned twice.
        #expect(
            windows(planner, since: "2026-01-31", covered: [range("2026-01-31", "2026-11-26")], pending: [range("2026-10-23", "2026-11-27")],
                refresh: .sync).isEmpty)
    }

    /// After an outage longer than the lookback, the gap and the due sync are one range, cut from today.
    @Test func aLongGapMergesWithTheSync() {
        let planner = WindowPlanner(windowDays: 200, lookbackDays: 35)
        let covered = [range("2025-01-01", "2026-09-01")]
        #expect(windows(planner, since: "2025-01-01", covered: covered, refresh: .sync) == [
            .init(range("2026-09-01", "2026-11-27"), .sync)
        ])
        #expect(windows(planner, since: "2025-01-01", covered: covered) == [.init(range("2026-09-01", "2026-11-27"), .sync)])
        // A hole in old history is filled alone, newest part first.
        let holed = [range("2025-01-01", "2025-02-01"), range("2025-12-01", "2026-11-27")]
        #expect(windows(planner, since: "2025-01-01", covered: holed) == [
            .init(range("2025-05-15", "2025-12-01"), .backfill), .init(range("2025-02-01", "2025-05-15"), .backfill),
        ])
    }

    @Test func revenueWindowsAreWholePagesFromTheNewestEnd() {
        let planner = WindowPlanner(windowDays: 175, lookbackDays: 35)
        let plan = windows(planner, since: "2026-01-31")  // 300 days: ⌈300/35⌉ = 9 pages
        #expect(plan.map(\.range.days) == [175, 125])
        #expect(plan.reduce(0) { $0 + PageCost.revenue(days: $1.range.days, customers: 1) } == 9)
    }

    @Test func recentSinceNeedsOnlyTheSyncWindow() {
        let planner = WindowPlanner(windowDays: 175, lookbackDays: 35)
        let since = UTCDay("2026-11-20")!
        #expect(planner.syncWindow(today: today, since: since) == range("2026-11-20", "2026-11-27"))
        #expect(windows(planner, since: "2026-11-20", refresh: .sync) == [.init(range("2026-11-20", "2026-11-27"), .sync)])
        #expect(windows(planner, since: "2026-11-28").isEmpty, "since in the future")
    }

    /// Each kind of import is one source: its job, its paging, its windows, and which metrics share a job.
    @Test func importSourcesPriceAndShareTheirWindows() {
        let usage = UsageSource(metricID: 7), other = UsageSource(metricID: 8)
        let revenue = RevenueSource(creditType: "usd-cents")
        #expect(usage.jobKind == .usage && revenue.jobKind == .revenue)
        #expect(usage.requests(days: 201, customers: 3) == PageCost.usage(days: 201, customers: 3))
        #expect(revenue.requests(days: 36, customers: 2) == PageCost.revenue(days: 36, customers: 2))
        // Usage metrics never share a job; revenue metrics of one credit type always do, whatever their basis.
        #expect(usage.sharingKey != other.sharingKey && usage.creditTypeID == nil)
        #expect(revenue.sharingKey == RevenueSource(creditType: "usd-cents").sharingKey && revenue.creditTypeID == "usd-cents")
        var options = ImportPlanner.Options()
        options.usageWindowDays = 90
        options.revenueWindowDays = 35
        #expect(usage.windowDays(options) == 90 && revenue.windowDays(options) == 35)
    }

    @Test func pageCostsFollowThePagingRules() {
        #expect(PageCost.usage(days: 200, customers: 3) == 3)
        #expect(PageCost.usage(days: 201, customers: 3) == 6)
        #expect(PageCost.revenue(days: 35, customers: 2) == 2)
        #expect(PageCost.revenue(days: 36, customers: 2) == 4)
        #expect(PageCost.catalog(activeCustomers: 250, archivedCustomers: 0, billableMetrics: 9, creditTypes: 2) == 3 + 1 + 1 + 1)
    }

    /// The sync's daily cost is kept within its share of the budget by stretching the interval.
    @Test func syncBudgetStretchesTheIntervalToFitItsShare() {
        // 1,000 customers × 8 metrics = 8,000 requests a sync; 8 req/s = 691,200 a day; 30 % = 207,360.
        var budget = SyncBudget(
            syncRequests: 8_000, hotRequests: 0, catalogRequests: 12, requestsPerSecond: 8, share: 0.3,
            syncIntervalSeconds: 86_400, hotIntervalSeconds: nil, catalogIntervalSeconds: 86_400)
        #expect(budget.schedule.stretched == false)
        #expect(budget.schedule.requestsPerDay == 8_012)
        #expect(abs(budget.schedule.budgetShare - 8_012 / 691_200) < 1e-9)
        // Every 5 minutes would be 2.3 M requests a day, 3.3 × the whole budget: stretched to fit 30 %.
        budget.syncIntervalSeconds = 300
        let stretched = budget.schedule
        #expect(stretched.stretched)
        #expect(stretched.budgetShare <= 0.3 + 1e-9)
        #expect(stretched.budgetShare > 0.29)
        #expect(stretched.syncIntervalSeconds > 300)
        // A hot refresh counts against the same share.
        budget.syncIntervalSeconds = 86_400
        budget.hotRequests = 8_000
        budget.hotIntervalSeconds = 900
        #expect(budget.schedule.stretched)
        #expect(budget.schedule.budgetShare <= 0.3 + 1e-9)
        // Intervals of a day or more run on whole days and stay within the share after rounding up.
        budget.hotIntervalSeconds = nil
        budget.requestsPerSecond = 0.2  // 17,280 a day, 30 % = 5,184 < 8,000: every 2 days
        #expect(budget.schedule.syncIntervalSeconds == 2 * 86_400)
        #expect(budget.schedule.budgetShare <= 0.3)
    }

    @Test func pinnedClock() throws {
        let clock = try ImportClock.fromEnvironment([ImportClock.environmentVariable: "2026-03-01"])
        #expect(clock.today == UTCDay("2026-03-01"))
        #expect(UTCDay(containing: clock.now) == UTCDay("2026-03-01"))
        #expect(try ImportClock.fromEnvironment([:]).pinnedDay == nil)
        #expect(throws: ImportClock.InvalidDay.self) { try ImportClock.fromEnvironment([ImportClock.environmentVariable: "soon"]) }
    }

    @Test func dayRangeCodesAsDates() throws {
        let window = range("2026-01-01", "2026-02-01")
        let json = String(decoding: try JSONEncoder().encode(window), as: UTF8.self)
        #expect(json.contains("\"2026-01-01\"") && json.contains("\"2026-02-01\""))
        #expect(try JSONDecoder().decode(DayRange.self, from: Data(json.utf8)) == window)
    }
}
