import Metronome
import Foundation
import Testing
@testable import UnitEconomics

private func d(_ text: String) -> Decimal { DecimalMath.parse(text)! }
private func day(_ text: String) -> UTCDay { UTCDay(text)! }
private func micros(_ text: String) -> Int64 { FocusTimestamp.parse(text)! }

@Suite("Proration", .timeLimit(.minutes(5)))
struct ProrationTests {
    @Test func hourlyRowStaysOnItsDay() {
        let shares = Proration.prorate(d("0.37"), startMicros: micros("2025-03-01T05:00:00Z"), endMicros: micros("2025-03-01T06:00:00Z"))
        #expect(shares == [.init(day: day("2025-03-01"), amount: d("0.37"))])
    }

    @Test func dailyRowIsOneDay() {
        let shares = Proration.prorate(d("12.5"), startMicros: micros("2025-03-02T00:00:00Z"), endMicros: micros("2025-03-03T00:00:00Z"))
        #expect(shares == [.init(day: day("2025-03-02"), amount: d("12.5"))])
    }

    @Test func rowAcrossMidnightSplitsByTime() {
        // 22:00 → 04:00: two hours on the 1st, four on the 2nd.
        let shares = Proration.prorate(d("6"), startMicros: micros("2025-03-01T22:00:00Z"), endMicros: micros("2025-03-02T04:00:00Z"))
        #expect(shares.map(\.amount) == [d("2"), d("4")])
        #expect(shares.map(\.day) == [day("2025-03-01"), day("2025-03-02")])
    }

    @Test func monthLongRowAddsUpExactlyWithTheRemainderOnTheLastDay() {
        // 100 over the 30 days of April: 3.3333333333 for 29 days, 3.3333333343 on the 30th.
        let shares = Proration.prorate(d("100"), startMicros: micros("2025-04-01T00:00:00Z"), endMicros: micros("2025-05-01T00:00:00Z"))
        #expect(shares.count == 30)
        #expect(shares.dropLast().allSatisfy { $0.amount == d("3.3333333333") })
        #expect(shares.last == .init(day: day("2025-04-30"), amount: d("3.3333333343")))
        #expect(shares.reduce(Decimal.zero) { $0 + $1.amount } == d("100"))
    }

    @Test(arguments: ["0.0000001234", "-17.31", "99999.999999999999", "1"])
    func sharesAlwaysAddUp(amount: String) {
        let shares = Proration.prorate(
            d(amount), startMicros: micros("2025-01-30T13:17:00.5Z"), endMicros: micros("2025-03-02T01:00:00Z"),
            scale: max(10, amount.split(separator: ".").last.map(\.count) ?? 0))
        #expect(shares.reduce(Decimal.zero) { $0 + $1.amount } == d(amount))
        #expect(shares.first?.day == day("2025-01-30") && shares.last?.day == day("2025-03-02"))
    }

    @Test func zeroLengthChargeBelongsToItsStartDay() {
        let shares = Proration.prorate(d("5"), startMicros: micros("2025-03-01T12:00:00Z"), endMicros: micros("2025-03-01T12:00:00Z"))
        #expect(shares == [.init(day: day("2025-03-01"), amount: d("5"))])
    }
}

@Suite("Parsing", .timeLimit(.minutes(5)))
struct ParsingTests {
    @Test(arguments: [
        ("2025-03-01T00:00:00Z", "2025-03-01"), ("2025-03-01T23:59:59.999Z", "2025-03-01"), ("2025-03-01 12:00:00", "2025-03-01"),
        ("2025-03-01T01:00:00+02:00", "2025-02-28"), ("2025-03-01", "2025-03-01"), ("2025-03-01T00:00Z", "2025-03-01"),
    ])
    func timestamps(text: String, expectedDay: String) throws {
        let value = try #require(FocusTimestamp.parse(text))
        #expect(UTCDay(containingMicroseconds: value) == day(expectedDay))
    }

    @Test(arguments: ["", "2025-02-30T00:00:00Z", "2025-03-01T24:00:00Z", "03/01/2025", "2025-03-01T00:00:00 UTC"])
    func badTimestamps(text: String) {
        #expect(FocusTimestamp.parse(text) == nil)
    }

    @Test func decimals() {
        #expect(DecimalMath.parse("1.50") == Decimal(string: "1.5"))
        #expect(DecimalMath.parse("-0.000000123") == Decimal(sign: .minus, exponent: -9, significand: 123))
        #expect(DecimalMath.parse("1.5E-3") == Decimal(string: "0.0015"))
        #expect(DecimalMath.parse("+7") == 7)
        for bad in ["", "1,000.00", "NaN", "1.2.3", "abc", "1e", "--1"] { #expect(DecimalMath.parse(bad) == nil, "\(bad)") }
    }

    @Test func tagsMustBeAJSONObject() {
        func check(_ text: String) -> Bool {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBufferPointer { JSONObjectValidator.isObject(UnsafeBufferPointer($0)) }
        }
        #expect(check(#"{"customer":"acme","env":"prod"}"#))
        #expect(check(#"{"a, b":"c, \"d\"","flag":true,"n":[1,2.5e3,null]}"#))
        #expect(check("{}"))
        #expect(!check(#"{"a":}"#))
        #expect(!check(#"["a"]"#))
        #expect(!check(#"{"a":"b"} x"#))
    }

    @Test func filterSyntax() throws {
        let filter = try CostReportFilter(parsing: #"service=Amazon EC2,Foo\, Inc"#, exclude: false)
        #expect(filter.field == .service && filter.values == ["Amazon EC2", "Foo, Inc"])
        #expect(filter.argument == #"service=Amazon EC2,Foo\, Inc"#)
        let tag = try CostReportFilter(parsing: "tag:env=prod", exclude: true)
        #expect(tag.field == .tag && tag.key == "env" && tag.values == ["prod"] && tag.exclude)
        let present = try CostReportFilter(parsing: "tag:customer", exclude: false)
        #expect(present.values.isEmpty)
        #expect(throws: CostReportError.self) { try CostReportFilter(parsing: "colour=red", exclude: false) }
        #expect(throws: CostReportError.self) { try CostReportFilter(parsing: "provider", exclude: false) }
        #expect(throws: CostReportError.self) { try CostReportFilter(parsing: "region=", exclude: false) }
    }

    @Test func headerMapsVersionsAndRefusesMissingColumns() throws {
        let v13 = try FocusColumns(header: ["\u{FEFF}billedcost", "ServiceProviderName", "ChargePeriodEnd", "EffectiveCost", "ProviderName", "ChargePeriodStart", "BillingCurrency"])
        #expect(v13.providerIndex == 1)
        #expect(v13[.billedCost] == 0)
        let found = #"the header has 4 column(s): "ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "BillingCurrency""#
        #expect(throws: FocusImportError(.missingColumn, line: 1, column: "EffectiveCost", detail: found)) {
            try FocusColumns(header: ["ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "BillingCurrency"])
        }
    }
}

@Suite("Formulas and allocation", .timeLimit(.minutes(5)))
struct FormulaTests {
    @Test func sharedCostSplitsByUsageAndAddsUpExactly() {
        let d1 = day("2025-03-01"), d2 = day("2025-03-02"), d3 = day("2025-03-03")
        let result = CostAllocator().allocate(
            cost: [
                d1: .init(direct: ["a": 10], shared: 11), d2: .init(direct: ["b": 4], shared: 11), d3: .init(shared: 11),
            ],
            usage: [d1: ["a": 100, "b": 300], d2: ["a": 50, "b": 50]])
        let byID = Dictionary(uniqueKeysWithValues: result.customers.map { ($0.customerID, $0) })
        #expect(byID["a"]?.direct == 10 && byID["a"]?.shared == d("8.25") && byID["a"]?.units == 150)
        #expect(byID["b"]?.direct == 4 && byID["b"]?.shared == d("13.75") && byID["b"]?.units == 350)
        #expect(result.unallocated == 11)
        #expect(result.total == 47)
    }

    @Test func roundingRemainderGoesToTheHeaviestUser() {
        let parts = CostAllocator.split(100, by: ["a": 1, "b": 1, "c": 1], total: 3)
        #expect(parts["a"] == d("33.3333333334"))
        #expect(parts["b"] == d("33.3333333333") && parts["c"] == d("33.3333333333"))
        #expect(parts.values.reduce(0, +) == 100)
    }

    @Test func marginIsUndefinedWithoutRevenue() {
        #expect(ReportCalculations.grossMarginPercent(revenue: nil, cogs: 5) == nil)
        #expect(ReportCalculations.grossMarginPercent(revenue: 0, cogs: 5) == nil)
        #expect(ReportCalculations.grossMarginPercent(revenue: 200, cogs: 50) == 75)
        #expect(ReportCalculations.costPercentOfRevenue(revenue: 200, cogs: 50) == 25)
    }

    @Test func priceForTargetMarginIsNotMarkup() throws {
        let price = try ReportCalculations.priceForMargin(unitCost: 100, marginPercent: 40)
        #expect(ReportNumber.unitCost(price) == "166.66666667")
        #expect(DecimalMath.rounded(price, scale: 2) == d("166.67"))
        #expect(throws: ReportRefusal("a target margin must be at least 0% and below 100% (got 100%)")) {
            try ReportCalculations.priceForMargin(unitCost: 1, marginPercent: 100)
        }
    }

    @Test func tinyUnitCostsKeepFourSignificantDigits() {
        #expect(ReportNumber.unitCost(d("0.121666666666")) == "0.12166667")
        #expect(ReportNumber.unitCost(d("0.00001")) == "0.00001")
        #expect(ReportNumber.unitCost(d("0.000000000052011234")) == "0.00000000005201")
        #expect(ReportNumber.unitCost(d("-0.0000001234567")) == "-0.0000001235")
        #expect(ReportNumber.unitCost(0) == "0")
        #expect(ReportNumber.unitCost(nil) == nil)
    }

    @Test func costPerUnitOfZeroUnitsIsUndefined() {
        #expect(ReportCalculations.costPerUnit(cost: 5, units: 0) == nil)
        #expect(ReportCalculations.costPerUnit(cost: 5, units: 2_000, scale: 1_000) == d("2.5"))
    }

    @Test func growth() {
        #expect(ReportCalculations.Growth(current: 150, previous: 100) == .percent(50))
        #expect(ReportCalculations.Growth(current: 5, previous: 0) == .new)
        #expect(ReportCalculations.Growth(current: 0, previous: 0) == .none)
    }

    @Test func periods() throws {
        let period = try ReportPeriod(lastDays: 30, endingOn: day("2025-03-30"))
        #expect(period.from == day("2025-03-01") && period.dayCount == 30)
        #expect(period.previous.from == day("2025-01-30") && period.previous.to == day("2025-02-28"))
        #expect(ReportPeriod.parseLast("4w") == 28 && ReportPeriod.parseLast("0d") == nil)
        #expect(throws: ReportRefusal("the period starts (2025-03-02) after it ends (2025-03-01)")) {
            try ReportPeriod(from: day("2025-03-02"), to: day("2025-03-01"))
        }
    }

    /// "The last N days" never ends on today (not over) and moves back to the inputs' last complete day;
    /// an explicit period stays as asked.
    @Test func lastCompleteDaysEndOnTheLastCompleteDay() throws {
        let last = try ReportPeriod.lastComplete(days: 7, today: day("2025-03-30"))
        #expect(last.to == day("2025-03-29") && last.dayCount == 7)
        let settled = last.settled(completeThrough: day("2025-03-20"))
        #expect(settled.from == day("2025-03-14") && settled.to == day("2025-03-20"))
        #expect(last.settled(completeThrough: nil) == last)
        #expect(last.settled(completeThrough: day("2025-04-30")) == last)
        let explicit = try ReportPeriod(from: day("2025-03-01"), to: day("2025-03-30"))
        #expect(explicit.settled(completeThrough: day("2025-03-20")) == explicit)
    }

    /// Margins as people type them: `20%` is 20; a bare `0.4` is refused as ambiguous, `0.4%` is taken.
    @Test func targetMarginsReadAsPercentages() throws {
        #expect(try ReportCalculations.parseTargetMargins("20, 40%,60") == [20, 40, 60])
        #expect(try ReportCalculations.parseTargetMargins("0.4%") == [Decimal(string: "0.4")!])
        #expect(throws: ReportRefusal(.targetMargins, "0.4 is read as 0.4 %, which looks like a fraction: write 40 for 40 %, or 0.4% if you mean it")) {
            try ReportCalculations.parseTargetMargins("0.4")
        }
        #expect(throws: ReportRefusal.self) { try ReportCalculations.parseTargetMargins("100") }
    }

    /// Y-axis labels fit beside the plot at any magnitude (they were clipped to `00000000000`).
    @Test func tickLabelsAreSIScaled() {
        #expect(SVGChartRenderer.tickLabel(1.8e12, step: 2e11) == "1.8T")
        #expect(SVGChartRenderer.tickLabel(2500, step: 500) == "2.5k")
        #expect(SVGChartRenderer.tickLabel(250e6, step: 50e6) == "250M")
        #expect(SVGChartRenderer.tickLabel(40, step: 10) == "40")
        #expect(SVGChartRenderer.tickLabel(0.25, step: 0.05) == "0.25")
        #expect(SVGChartRenderer.tickLabel(0, step: 2e11) == "0")
    }

    /// A chart of 30 customers shows the 15 with the most revenue and the 5 with the lowest gross profit
    /// (the loss-makers were left out), and says so.
    @Test func aChartShowsTheLosersAndSaysHowManyAreLeftOut() {
        let customers = (1...30).map { "c\($0)" }
        let (shown, footnote) = UnitEconomicsReports.chartCustomers(
            customers, best: customers, worst: customers.reversed(), bestLabel: "the most revenue", worstLabel: "the lowest gross profit")
        #expect(shown.count == 20)
        #expect(Array(shown.prefix(15)) == Array(customers.prefix(15)))
        #expect(Set(shown.suffix(5)) == Set(customers.suffix(5)))
        #expect(footnote == "20 of 30 customers: the 15 with the most revenue and the 5 with the lowest gross profit; 10 more in the table")
        #expect(UnitEconomicsReports.chartCustomers(Array(customers.prefix(5)), best: [], worst: [], bestLabel: "", worstLabel: "").footnote == nil)
    }

    /// A daily chart labels its days level, thinned to about one per 64 px, the newest day always labelled and
    /// inside the canvas; every point carries its exact value on hover.
    @Test func dailyChartsThinTheirDayLabelsAndShowEachValueOnHover() throws {
        let renderer = SVGChartRenderer()
        let first = try #require(UTCDay(year: 2026, month: 1, day: 1))
        let labelPattern = try Regex(#"<text class="day" x="([0-9.]+)" y="[0-9.]+" text-anchor="(middle|end)">([^<]*)</text>"#)
        for dayCount in [7, 30, 90, 365] {
            let days: [String] = (0..<dayCount).map { UTCDay(daysSinceEpoch: first.daysSinceEpoch + $0).description }
            let values: [Decimal?] = (0..<dayCount).map { Decimal($0 * 1_000) + d("0.125") }
            let svg = renderer.render(
                ChartData(title: "CPU hours, daily", style: .lines, categories: days, series: [.init(name: "Acme", values: values)], yAxisLabel: "hours"))
            let labels: [(x: Double, anchor: String, text: String)] = svg.matches(of: labelPattern).map { match in
                (x: Double(match.output[1].substring!)!, anchor: String(match.output[2].substring!), text: String(match.output[3].substring!))
            }
            #expect(!svg.contains("rotate(45"), "\(dayCount) days")
            #expect(labels.count >= min(dayCount, 5) && Double(labels.count) <= (renderer.width - 120) / 64 + 1, "\(dayCount): \(labels.count) labels")
            #expect(labels.last?.text == SVGChartRenderer.dayLabel(UTCDay(days.last!)!, withYear: dayCount > 365), "\(dayCount)")
            // Level labels of about 6 characters never overlap and stay on the canvas.
            for (left, right) in zip(labels, labels.dropFirst()) { #expect(right.x - left.x >= 6 * 7.0) }
            let last = try #require(labels.last)
            #expect((last.anchor == "end" ? last.x : last.x + 3 * 7.0) <= renderer.width)
            // One hover point per value, with the exact value.
            #expect(svg.components(separatedBy: "<circle").count - 1 == dayCount)
            #expect(svg.contains("<title>Acme — \(days.last!): \(values.last!!)</title></circle>"))
        }
        #expect(SVGChartRenderer.dayLabel(UTCDay("2026-11-20")!, withYear: false) == "Nov 20")
        #expect(SVGChartRenderer.dayLabel(UTCDay("2025-01-02")!, withYear: true) == "Jan 2 2025")
        #expect(SVGChartRenderer.labelledDays(count: 30, plotWidth: 840) == [1, 8, 15, 22, 29])
        #expect(SVGChartRenderer.labelledDays(count: 10, plotWidth: 840) == Array(0...9))
    }

    @Test func svgChartHasAxesLabelsAndLegend() {
        let svg = SVGChartRenderer().render(
            ChartData(
                title: "Revenue & COGS", style: .bars, categories: ["Acme", "Beta <b>"],
                series: [.init(name: "revenue", values: [1000, nil]), .init(name: "COGS", values: [d("18.25"), d("17.75")])],
                yAxisLabel: "USD"))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("Revenue &amp; COGS") && svg.contains("Beta &lt;b&gt;") && svg.contains(">USD</text>"))
        #expect(svg.contains(">revenue</text>") && svg.contains(">COGS</text>"))
        #expect(svg.components(separatedBy: "<rect").count - 1 == 1 + 3 + 2)  // background, 3 bars, 2 legend keys
        #expect(svg.hasSuffix("</svg>\n"))
    }

    /// Rotated category labels, estimated at a generous character width, end above the legend; legend
    /// names fit their columns; everything is inside the canvas.
    @Test func chartLabelsAndLegendDoNotOverlap() throws {
        let customers = (1...12).map { "Customer with a rather long name number \($0)" }
        let series = ["revenue of every invoice in the period", "COGS, tagged and shared by usage", "gross profit", "margin"]
        let renderer = SVGChartRenderer()
        let svg = renderer.render(
            ChartData(
                title: "Margin", style: .bars, categories: customers,
                series: series.map { .init(name: $0, values: customers.map { _ in d("10") }) }, yAxisLabel: "USD"))
        let labelPattern = try Regex(#"<text transform="translate\(([0-9.]+) ([0-9.]+)\) rotate\(([0-9.]+)\)" text-anchor="start">([^<]*)</text>"#)
        let labels = svg.matches(of: labelPattern).map { match in
            (x: Double(match.output[1].substring!)!, y: Double(match.output[2].substring!)!, angle: Double(match.output[3].substring!)!,
             text: String(match.output[4].substring!))
        }
        #expect(labels.count == customers.count)
        // Every name, the last one too, ends inside the canvas.
        for label in labels {
            #expect(label.x + Double(label.text.count) * 7.0 * cos(label.angle * .pi / 180) <= renderer.width, "\(label.text)")
        }
        let lowestLabel = labels.map { $0.y + Double($0.text.count) * 7.0 * sin($0.angle * .pi / 180) }.max()!
        let legendPattern = try Regex(#"<rect x="([0-9.]+)" y="([0-9.]+)" width="12" height="12""#)
        let legend = svg.matches(of: legendPattern).map { (x: Double($0.output[1].substring!)!, y: Double($0.output[2].substring!)!) }
        #expect(legend.count == series.count)
        #expect(lowestLabel < legend.map(\.y).min()!, "labels reach \(lowestLabel), legend starts at \(legend.map(\.y).min()!)")
        #expect(legend.map(\.y).max()! + 12 <= renderer.height)
        // Each legend name, at the same estimate, ends before the next column's key.
        let namePattern = try Regex(#"<text x="([0-9.]+)" y="[0-9.]+"><title>[^<]*</title>([^<]*)</text>"#)
        let names = svg.matches(of: namePattern).map { (x: Double($0.output[1].substring!)!, text: String($0.output[2].substring!)) }
        #expect(names.count == series.count)
        let keys = legend.map(\.x).sorted()
        for name in names {
            let next = keys.first { $0 > name.x } ?? renderer.width
            #expect(name.x + Double(name.text.count) * 7.0 <= next, "\(name.text)")
        }
    }
}
