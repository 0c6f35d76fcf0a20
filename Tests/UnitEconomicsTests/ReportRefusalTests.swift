import Metronome
import Testing
import UnitEconomics

/// A report's refusal names the input at fault in each front-end's own terms, never a CLI flag the
/// console's or the assistant's user never typed.
@Suite("Report refusals")
struct ReportRefusalTests {
    @Test func eachFrontEndNamesTheInputItsOwnWay() {
        let refusal = ReportRefusal(.revenueMetric, "metric \"API requests\" is a usage metric; a revenue metric is needed")
        #expect(refusal.message(naming: { "--" + $0.rawValue }).hasPrefix("--revenue-metric: metric \"API requests\""))
        #expect(refusal.description.hasPrefix("revenue-metric: "), "the console's form field")
        #expect(refusal.message(naming: { "\"\($0.rawValue.replacingOccurrences(of: "-", with: "_"))\"" }).hasPrefix("\"revenue_metric\": "))
        #expect(ReportRefusal("no cost in the period").description == "no cost in the period")
    }

    @Test func periodAndScaleRefusalsNameTheirInput() throws {
        #expect(throws: ReportRefusal(.last, "needs at least one day")) { try ReportPeriod(lastDays: 0, endingOn: UTCDay("2026-01-31")!) }
    }
}

/// One rule chooses a report's days in the CLI, the console and MCP; each names the inputs its own way.
@Suite("Choosing a report's days")
struct PeriodChoiceTests {
    @Test func theChoiceFollowsWhatWasGivenAndRefusesTheRest() throws {
        let from = try #require(UTCDay("2026-11-01")), to = try #require(UTCDay("2026-11-30"))
        let today = try #require(UTCDay("2026-12-08"))
        #expect(try PeriodChoice(from: nil, to: nil, lastDays: nil) == .lastComplete(days: 30))
        #expect(try PeriodChoice(from: nil, to: nil, lastDays: 7) == .lastComplete(days: 7))
        #expect(try PeriodChoice(from: from, to: to, lastDays: nil) == .between(from: from, to: to))
        let asked = try PeriodChoice(from: from, to: to, lastDays: nil).period(today: today)
        #expect(asked.from == from && asked.to == to && !asked.followsCompleteData)
        let recent = try PeriodChoice(from: nil, to: nil, lastDays: 7).period(today: today)
        #expect(recent.dayCount == 7 && recent.to == today.adding(days: -1) && recent.followsCompleteData)
        func refusal(_ from: UTCDay?, _ to: UTCDay?, _ last: Int?) -> ReportRefusal? {
            do { _ = try PeriodChoice(from: from, to: to, lastDays: last); return nil } catch { return error }
        }
        #expect(refusal(from, nil, nil)?.message(naming: { "--\($0.rawValue)" }) == "--to: is needed with the first day")
        #expect(refusal(nil, to, nil)?.parameter == .from)
        #expect(refusal(to, from, nil)?.message(naming: { "--\($0.rawValue)" }) == "--to: 2026-11-01 is before the first day, 2026-11-30")
        #expect(refusal(from, to, 7)?.parameter == .last && refusal(nil, nil, 0)?.parameter == .last)
    }
}
