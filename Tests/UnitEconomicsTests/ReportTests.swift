import Metronome
import Foundation
import Postgres
import Testing
import TestSupport
@testable import UnitEconomics

/// Every expectation here was computed by hand from the fixture described in `Fixtures`.
@Suite("Reports", .timeLimit(.minutes(15)))
struct ReportTests {
    let period = try! ReportPeriod(from: UTCDay("2025-03-01")!, to: UTCDay("2025-03-03")!)

    @Test func topCustomers() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let output = try await environment.reports.topCustomers(metric: "API requests", period: period)
        #expect(output.rows().map { $0["customer"]! } == ["Beta", "Acme", "(total)"])
        #expect(output.row("customer", "Beta") == [
            "rank": "1", "customer": "Beta", "customer_id": "c-beta", "total": "350", "daily_average": "116.66666667", "share_pct": "70",
        ])
        #expect(output.row("customer", "Acme")?["share_pct"] == "30")
        #expect(output.row("customer", "(total)")?["total"] == "500")
        #expect(output.completeness.through == nil)  // nothing recorded in import_coverage
        await environment.pool.close()
    }

    /// "The last N days" ends on the last day every input is complete through, never on a day still
    /// changing: usage complete through 03-02 and cost through 03-31 put the last 3 days on 02-28..03-02.
    /// A period asked for past that day is kept as asked and flagged in the output and the JSON.
    @Test func theLastDaysEndOnTheLastCompleteDayAndAPartialPeriodIsFlagged() async throws {
        let environment = try await Fixtures.reportEnvironment()
        try await environment.pool.query(
            """
            INSERT INTO import_coverage (metric_id, window_start, window_end, import_batch, customer_ids)
            VALUES (1, '2025-01-01', '2025-03-03', 0, '{c-acme,c-beta,c-gamma,c-dup1,c-dup2}')
            """)
        let lastThree = try ReportPeriod.lastComplete(days: 3, today: UTCDay("2026-12-07")!)
        let settled = try await environment.reports.unitCost(costReport: "COGS", metric: "API requests", period: lastThree)
        #expect(settled.period.from == UTCDay("2025-02-28")! && settled.period.to == UTCDay("2025-03-02")!)
        #expect(settled.completeness.through == UTCDay("2025-03-02")!)
        #expect(settled.partialPeriodWarning == nil)
        #expect(ReportJSON(settled).text.contains(#""complete" : true"#), "\(ReportJSON(settled).text)")
        let top = try await environment.reports.topCustomers(metric: "API requests", period: lastThree)
        #expect(top.period.to == UTCDay("2025-03-02")!)

        let asked = try ReportPeriod(from: UTCDay("2025-03-01")!, to: UTCDay("2025-03-03")!)
        let partial = try await environment.reports.unitCost(costReport: "COGS", metric: "API requests", period: asked)
        #expect(partial.period == asked)
        #expect(partial.firstIncompleteDay == UTCDay("2025-03-03")!)
        #expect(
            partial.partialPeriodWarning
                == "Partial period: data is complete through 2025-03-02, so the 1 day(s) from 2025-03-03 to 2025-03-03 may still change. "
                + "For final numbers, end the period on or before 2025-03-02.")
        let json = ReportJSON(partial).text
        #expect(json.contains(#""complete" : false"#) && json.contains(#""partial_period_warning" : "Partial period"#), "\(json)")
        await environment.pool.close()
    }

    /// Today is not over: a metric imported through today is complete only through yesterday (UTC).
    @Test func aMetricImportedThroughTodayIsCompleteThroughYesterday() async throws {
        let environment = try await Fixtures.reportEnvironment()
        try await environment.pool.query(
            """
            INSERT INTO import_coverage (metric_id, window_start, window_end, import_batch, customer_ids)
            VALUES (1, '2025-01-01', (now() AT TIME ZONE 'UTC')::date + 1, 0, '{c-acme,c-beta,c-gamma,c-dup1,c-dup2}')
            """)
        let yesterday = try await environment.pool.query("SELECT ((now() AT TIME ZONE 'UTC')::date - 1)::text").single().decode(String.self, at: 0)
        let output = try await environment.reports.topCustomers(metric: "API requests", period: period)
        #expect(output.completeness.through == UTCDay(yesterday)!)
        await environment.pool.close()
    }

    @Test func gaugeMetricsAreNeverSummed() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let gauge = "metric \"Seats\" aggregates by "
        let top = await #expect(throws: ReportRefusal.self) { try await environment.reports.topCustomers(metric: "Seats", period: period) }
        #expect(top?.description.hasPrefix(gauge) == true, "\(String(describing: top))")
        let portfolio = await #expect(throws: ReportRefusal.self) {
            try await environment.reports.portfolio(metrics: ["API requests", "Seats"], period: period)
        }
        #expect(portfolio?.description.hasPrefix(gauge) == true, "\(String(describing: portfolio))")
        let unitCost = await #expect(throws: ReportRefusal.self) {
            try await environment.reports.unitCost(costReport: "COGS", metric: "Seats", period: period)
        }
        #expect(unitCost?.description.hasPrefix(gauge) == true, "\(String(describing: unitCost))")
        await environment.pool.close()
    }

    @Test func unitCostIsDirectPlusUsageShareOfSharedCost() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let output = try await environment.reports.unitCost(costReport: "COGS", metric: "API requests", period: period)
        // Shared: 11 a day (B 10 + F 1). 03-01 Acme 100/400, Beta 300/400; 03-02 half each; 03-03 no usage.
        #expect(output.row("customer", "Acme") == [
            "rank": "1", "customer": "Acme", "customer_id": "c-acme", "cogs": "18.25", "direct_cost": "10", "shared_cost": "8.25",
            "units": "150", "cost_per_unit": "0.12166667",
        ])
        #expect(output.row("customer", "Beta")?["cogs"] == "17.75")
        #expect(output.row("customer", "Beta")?["cost_per_unit"] == "0.05071429")
        #expect(output.row("customer", "(ambiguous customer tag \"Dup\": 2 customers)")?["cogs"] == "5")
        #expect(output.row("customer", UnitEconomicsReports.unallocatedLabel)?["cogs"] == "11")
        let total = try #require(output.row("customer", "(total)"))
        #expect(total["cogs"] == "52" && total["units"] == "500" && total["cost_per_unit"] == "0.104")
        #expect(total["direct_cost"] == "19" && total["shared_cost"] == "33")
        // Nothing lost or invented: the rows above the total add up to the cost report's total.
        let sum = output.rows().filter { $0["customer"] != "(total)" }.reduce(Decimal.zero) { $0 + DecimalMath.parse($1["cogs"]!)! }
        #expect(sum == 52)
        #expect(output.chart?.categories == ["Acme", "Beta"])
        let scaled = try await environment.reports.unitCost(costReport: "COGS", metric: "API requests", period: period, scale: 1000)
        #expect(scaled.row("customer", "(total)")?["cost_per_unit"] == "104")
        await environment.pool.close()
    }

    @Test func zeroUsageMeansUndefinedCostPerUnit() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let lastDay = try ReportPeriod(from: UTCDay("2025-03-03")!, to: UTCDay("2025-03-03")!)
        let output = try await environment.reports.unitCost(costReport: "COGS", metric: "API requests", period: lastDay)
        #expect(output.row("customer", "(total)")?["cost_per_unit"] == "∅")
        #expect(output.row("customer", UnitEconomicsReports.unallocatedLabel)?["cogs"] == "11")
        let pricing = await #expect(throws: ReportRefusal.self) {
            try await environment.reports.pricing(costReport: "COGS", metric: "API requests", targetMargins: [40], period: lastDay)
        }
        #expect(
            pricing?.description.hasPrefix("metric \"API requests\" has no units in ") == true
                && pricing?.description.hasSuffix("cost per unit is undefined, so no price can be derived") == true,
            "\(String(describing: pricing))")
        await environment.pool.close()
    }

    @Test func marginWithAllocatedSharedCost() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let output = try await environment.reports.margin(
            revenueMetric: "Revenue", costReport: "COGS", allocateBy: "API requests", period: period)
        #expect(output.row("customer", "Acme") == [
            "customer": "Acme", "customer_id": "c-acme", "revenue": "1000", "cogs": "18.25", "gross_profit": "981.75",
            "gross_margin_pct": "98.18", "cost_pct_of_revenue": "1.83",
        ])
        // Revenue but no cost.
        #expect(output.row("customer", "Gamma")?["cogs"] == "0" && output.row("customer", "Gamma")?["gross_margin_pct"] == "100")
        // Cost but no revenue: margin undefined, not 0%.
        #expect(output.row("customer", "Beta")?["revenue"] == "0" && output.row("customer", "Beta")?["gross_margin_pct"] == "∅")
        #expect(output.row("customer", "Beta")?["gross_profit"] == "-17.75")
        let total = try #require(output.row("customer", "(total)"))
        #expect(total["revenue"] == "1200" && total["cogs"] == "52" && total["gross_profit"] == "1148")
        #expect(total["gross_margin_pct"] == "95.67" && total["cost_pct_of_revenue"] == "4.33")
        #expect(output.facts.first { $0.key == "currency" }?.value == "USD")
        await environment.pool.close()
    }

    @Test func marginWithoutUsageKeepsSharedCostOnItsOwnRow() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let output = try await environment.reports.margin(revenueMetric: "Revenue", costReport: "COGS", allocateBy: nil, period: period)
        #expect(output.row("customer", "Acme")?["cogs"] == "10")
        #expect(output.row("customer", "Beta")?["cogs"] == "4")
        #expect(output.rows().first { $0["customer"]!.hasPrefix("(shared cost") }?["cogs"] == "33")
        #expect(output.row("customer", "(total)")?["cogs"] == "52")
        await environment.pool.close()
    }

    @Test func mixedCurrenciesAreRefused() async throws {
        let environment = try await Fixtures.reportEnvironment()
        // Revenue in EUR against cost in USD.
        let margin = await #expect(throws: ReportRefusal.self) {
            try await environment.reports.margin(revenueMetric: "Revenue EUR", costReport: "COGS", allocateBy: nil, period: period)
        }
        #expect(
            margin?.description == "revenue (\"Revenue EUR\") is in EUR but cost report \"COGS\" is in USD: "
                + "a margin needs revenue and cost in one currency", "\(String(describing: margin))")
        // One cost report holding USD and EUR cost.
        let mixed = await #expect(throws: ReportRefusal.self) {
            try await environment.reports.unitCost(costReport: "Everything", metric: "API requests", period: period)
        }
        #expect(
            mixed?.description.hasPrefix("cost report \"Everything\" has cost in several currencies (EUR, USD)") == true,
            "\(String(describing: mixed))")
        await environment.pool.close()
    }

    @Test func pricingForTargetMargins() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let output = try await environment.reports.pricing(
            costReport: "COGS", metric: "API requests", targetMargins: [20, 40, 60], period: period, scale: 1000)
        // 52 / (500 / 1000) = 104 per thousand requests.
        #expect(output.rows().map { $0["price"]! } == ["130", "173.33333333", "260"])
        #expect(output.rows().allSatisfy { $0["unit_cost"] == "104" })
        #expect(output.row("target_margin_pct", "40")?["formula"] == "price = unit_cost / (1 − 0.4) = 104 / 0.6")
        await environment.pool.close()
    }

    @Test func allocationHasAnExplicitUnallocatedRowAndAddsUp() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let output = try await environment.reports.allocate(costReport: "COGS", metric: "API requests", period: period, daily: true)
        #expect(output.row("customer", "Acme")?["usage_share_pct"] == "30")
        #expect(output.row("customer", "Acme")?["allocated_shared_cost"] == "8.25")
        #expect(output.row("customer", "Beta")?["allocated_shared_cost"] == "13.75")
        #expect(output.row("customer", UnitEconomicsReports.unallocatedLabel)?["cogs"] == "11")
        #expect(output.row("customer", "(total)")?["cogs"] == "52")
        let daily = output.rows(section: 1)
        #expect(daily.first { $0["day"] == "2025-03-01" && $0["customer"] == "Beta" }?["allocated_shared_cost"] == "8.25")
        #expect(daily.first { $0["day"] == "2025-03-03" }?["customer"] == UnitEconomicsReports.unallocatedLabel)
        let summed = daily.reduce(Decimal.zero) { $0 + DecimalMath.parse($1["cogs"]!)! }
        #expect(summed + 5 == 52)  // + the ambiguous tag's cost, which belongs to no day row's customer
        await environment.pool.close()
    }

    @Test func portfolioCallsOutTheFastestGrowingMetric() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let output = try await environment.reports.portfolio(metrics: ["API requests", "Revenue"], period: period)
        #expect(output.row("metric", "API requests") == [
            "metric": "API requests", "total": "500", "daily_average": "166.66666667", "previous_total": "100", "growth_pct": "400",
            "fastest_growing": "yes",
        ])
        #expect(output.row("metric", "Revenue")?["growth_pct"] == "100")
        #expect(output.facts.first { $0.key == "fastest_growing" }?.value == "API requests")
        #expect(output.row("day", "2025-03-01", section: 1) == ["day": "2025-03-01", "API requests": "400", "Revenue": "1000"])
        #expect(output.row("day", "2025-03-03", section: 1) == ["day": "2025-03-03", "API requests": "0", "Revenue": "0"])
        #expect(output.notes.contains("Fastest-growing: API requests (400%)."))
        #expect(output.chart?.series.count == 2)
        await environment.pool.close()
    }

    @Test func biViewsAgreeWithTheReports() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let rows = try await environment.pool.query(
            """
            SELECT coalesce(customer_id, bucket), sum(cogs)::text FROM daily_cost_by_customer
            WHERE cost_report = 'COGS' AND metric = 'API requests' AND day BETWEEN '2025-03-01' AND '2025-03-03'
            GROUP BY 1 ORDER BY 1
            """)
        let totals = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Decimal.self, at: 1)) })
        #expect(totals == ["c-acme": DecimalMath.parse("18.25")!, "c-beta": DecimalMath.parse("17.75")!, "unallocated": 11, "unmatched_tag": 5])
        let unit = try await environment.pool.query(
            """
            SELECT (sum(cogs) / sum(units))::numeric(20, 8)::text FROM unit_cost_daily
            WHERE cost_report = 'COGS' AND metric = 'API requests' AND customer_id = 'c-acme' AND day BETWEEN '2025-03-01' AND '2025-03-03'
            """
        ).single()
        #expect(unit[unit.columns.names[0]] == "0.12166667")
        let margin = try await environment.pool.query(
            """
            SELECT sum(revenue)::text, sum(direct_cost)::text FROM customer_margin_daily
            WHERE cost_report = 'COGS' AND revenue_metric = 'Revenue' AND customer_id = 'c-acme' AND day BETWEEN '2025-03-01' AND '2025-03-03'
            """
        ).single()
        #expect(try margin.decode(Decimal.self, at: 0) == 1000 && margin.decode(Decimal.self, at: 1) == 10)
        await environment.pool.close()
    }

    @Test func costReportsAreSavedAndListed() async throws {
        let environment = try await Fixtures.reportEnvironment()
        let store = CostReportStore(pool: environment.pool)
        let report = try await store.named("COGS")
        #expect(report.filters.map(\.description) == ["--include service-category=Compute"] && report.customerTag == "customer")
        #expect(try await store.list().map(\.name) == ["COGS", "Everything"])
        await #expect(throws: CostReportError.self) { try await store.create(name: "COGS", filters: [], customerTag: nil) }
        #expect(try await store.delete(name: "Everything"))
        #expect(try await store.list().map(\.name) == ["COGS"])
        await environment.pool.close()
    }
}
