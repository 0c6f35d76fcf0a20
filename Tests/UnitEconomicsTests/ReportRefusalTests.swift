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
