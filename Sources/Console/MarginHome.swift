import Foundation
import Metronome
import Hummingbird
import TextOutput
import UnitEconomics

/// The top of the Unit economics page: revenue, COGS and gross margin of the last complete days against
/// the days before, the customers with the lowest margin, and where the cost goes (tagged with a customer,
/// tagged with no known customer, shared), each linking to the report behind it.
extension ConsoleServer {
    struct MarginHomeModel {
        struct Figure { var name, value, exact: String; var change: String?; var changeClass: String; var href: String }
        struct CostPart {
            var name, amount, exact, share: String
            var width: String
            var x: String
            var color: String
            var href: String
            var note: String
        }
        var revenueMetrics: [ConsoleServer.Choice]
        var costReports: [ConsoleServer.Choice]
        var dayChoices: [ConsoleServer.Choice]
        var period, previousPeriod: String
        var days: Int
        var warning: String?
        var figures: [Figure]
        var lowest: ConsoleTable
        var lowestHref: String
        var more: String?
        var withoutRevenue: String?
        var costParts: [CostPart]
        var noCost: Bool
        var completeness: String
    }

    struct MarginHome {
        var model: MarginHomeModel?
        var hint: String?
        var refusal: String?
    }

    static let homeDayChoices = [7, 30, 90]

    /// The margin summary for the page's choice of revenue metric, cost report and days (the first of
    /// each, and 30 days, unless the query says otherwise); a hint when there is nothing to compare yet.
    func marginHome(_ fields: FormFields, revenueMetrics: [String], costReports: [String]) async throws -> MarginHome {
        guard let revenue = fields["revenue-metric"].flatMap({ revenueMetrics.contains($0) ? $0 : nil }) ?? revenueMetrics.first,
            let costReport = fields["cost-report"].flatMap({ costReports.contains($0) ? $0 : nil }) ?? costReports.first
        else {
            return MarginHome(
                hint: revenueMetrics.isEmpty
                    ? "Margin shows here once there is a revenue metric: meterbridge metric create --revenue --currency USD …"
                    : "Margin shows here once there is a cost report: meterbridge costs import FILE, then meterbridge cost-report create …")
        }
        let days = fields["days"].flatMap(Int.init).flatMap { Self.homeDayChoices.contains($0) ? $0 : nil } ?? 30
        let summary: MarginSummary
        do {
            let period = try ReportPeriod.lastComplete(days: days, today: UTCDay(containing: Date()))
            summary = try await UnitEconomicsReports(pool: pool).marginSummary(
                revenueMetric: revenue, costReport: costReport, period: period)
        } catch let refusal as ReportRefusal {
            return MarginHome(refusal: "Margin of \(revenue) against \(costReport): \(refusal.description)")
        }
        // The margin report of the same inputs and days, and the same sorted lowest margin first.
        let marginQuery = [
            ("revenue-metric", revenue), ("cost-report", costReport), ("from", "\(summary.period.from)"),
            ("to", "\(summary.period.to)"),
        ]
        let marginTable = Self.sectionTableID(0)
        let margin = "/reports/margin?" + FormFields.encode(marginQuery)
        let byMargin =
            "/reports/margin?"
            + FormFields.encode(
                marginQuery + [("sort", ConsoleTable.Sort(table: marginTable, column: "gross_margin_pct", descending: false).text)])
            + "#\(marginTable)"
        let currency = summary.currency
        func money(_ value: Decimal) -> String { "\(NumberText.grouped(value, fractionDigits: 2)) \(currency)" }
        func percent(_ value: Decimal?) -> String { value.map { "\(NumberText.grouped($0, fractionDigits: 1)) %" } ?? "—" }
        /// `+2.6`, `−51.1`, `±0.0`, and the class that colours it.
        func signed(_ value: Decimal) -> (text: String, changeClass: String) {
            let sign = value > 0 ? "+" : value < 0 ? "−" : "±"
            return (sign + NumberText.grouped(abs(value), fractionDigits: 1), value < 0 ? "down" : "up")
        }
        func change(_ previous: Decimal, _ current: Decimal, missing: String) -> (String?, String) {
            guard let change = MarginSummary.change(from: previous, to: current) else { return (missing, "muted") }
            let (text, changeClass) = signed(change)
            return ("\(text) % on the days before", changeClass)
        }
        // A comparison with days that have no revenue or no cost would mislead: it says so instead.
        let revenueChange = change(summary.previous.revenue, summary.current.revenue, missing: "no revenue in the days before")
        let noCostBefore = "no cost in the days before: nothing to compare"
        let cogsChange = change(summary.previous.cogs, summary.current.cogs, missing: noCostBefore)
        var marginChange: (String?, String) = (summary.previous.cogs.isZero ? noCostBefore : nil, "muted")
        if let now = summary.current.marginPercent, let before = summary.previous.marginPercent, !summary.previous.cogs.isZero {
            let (text, changeClass) = signed(now - before)
            marginChange = ("\(text) points on the days before", changeClass)
        }
        let figures = [
            MarginHomeModel.Figure(
                name: "Revenue", value: money(summary.current.revenue), exact: "\(summary.current.revenue)",
                change: revenueChange.0, changeClass: revenueChange.1, href: margin),
            MarginHomeModel.Figure(
                name: "COGS", value: money(summary.current.cogs), exact: "\(summary.current.cogs)", change: cogsChange.0,
                // More cost is not good news.
                changeClass: cogsChange.1 == "up" ? "down" : cogsChange.1 == "down" ? "up" : "muted", href: margin),
            MarginHomeModel.Figure(
                name: "Gross margin", value: percent(summary.current.marginPercent),
                exact: summary.current.marginPercent.map { "\($0)" } ?? "", change: marginChange.0,
                changeClass: marginChange.1, href: byMargin),
        ]
        let lowest = ConsoleTable(
            id: "lowest-margin", columns: ["customer", "customer_id", "revenue", "cogs", "gross_margin_pct"],
            rows: summary.lowestMargin.map {
                [$0.label, $0.customerID, "\($0.revenue)", "\($0.cogs)", $0.marginPercent.map { "\(DecimalMath.rounded($0, scale: 2))" }]
            }, sort: nil, path: "/reports/margin", query: marginQuery, linkTable: marginTable,
            cellWidth: 32)
        var parts: [MarginHomeModel.CostPart] = []
        var x = Decimal(0)
        let split = summary.cost
        for (name, amount, color, href, note) in [
            ("Tagged with a customer", split.tagged, "#4269d0", margin, "attributed to the customer it names"),
            ("Unmatched tag", split.unmatched, "#ff725c", "/costs", "the tag names no customer, or several: see the cost report"),
            ("Shared", split.shared, "#efb118", "/reports#allocate", "no customer tag: allocate it by usage"),
        ] {
            let share = split.percent(amount)
            parts.append(
                MarginHomeModel.CostPart(
                    name: name, amount: money(amount), exact: "\(amount)", share: percent(share),
                    width: "\(DecimalMath.rounded(share ?? 0, scale: 3))", x: "\(DecimalMath.rounded(x, scale: 3))",
                    color: color, href: href, note: note))
            x += share ?? 0
        }
        let without = summary.customersWithoutRevenue
        let model = MarginHomeModel(
            revenueMetrics: revenueMetrics.map { Choice(value: $0, selected: $0 == revenue) },
            costReports: costReports.map { Choice(value: $0, selected: $0 == costReport) },
            dayChoices: Self.homeDayChoices.map { Choice(value: "\($0)", selected: $0 == days) },
            period: summary.period.description, previousPeriod: summary.previousPeriod.description, days: summary.period.dayCount,
            warning: summary.partialPeriodWarning, figures: figures, lowest: lowest,
            lowestHref: byMargin,
            more: summary.customersWithRevenue > summary.lowestMargin.count
                ? NumberText.grouped(summary.customersWithRevenue - summary.lowestMargin.count) : nil,
            withoutRevenue: without.isEmpty
                ? nil
                : "\(without.count) customer(s) with cost but no revenue: "
                    + without.prefix(3).map { "\(TableOutput.display($0.label, width: 32)) (\(money($0.cogs)))" }.joined(separator: ", ")
                    + (without.count > 3 ? ", …" : ""),
            costParts: parts, noCost: split.total.isZero, completeness: summary.completeness.description)
        return MarginHome(model: model)
    }

    static let marginHomeTemplate = """
        {{#home}}<section class="card" id="margin-home">
        <form class="filters" method="get" action="/reports">
        <label>revenue metric <select name="revenue-metric">{{#revenueMetrics}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/revenueMetrics}}</select></label>
        <label>cost report <select name="cost-report">{{#costReports}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/costReports}}</select></label>
        <label>days <select name="days">{{#dayChoices}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/dayChoices}}</select></label>
        <button type="submit">Show</button>
        </form>
        <h2>Gross margin, {{period}}</h2>
        <p class="muted">The last {{days}} days complete on both sides, against the {{days}} days before ({{previousPeriod}}).</p>
        {{#warning}}<p class="error">⚠ {{.}}</p>{{/warning}}
        <div class="figures">{{#figures}}<a class="figure" href="{{href}}"><span class="muted">{{name}}</span>
        <strong title="{{exact}}">{{value}}</strong>{{#change}}<span class="{{changeClass}}">{{.}}</span>{{/change}}</a>{{/figures}}</div>
        <h3>Lowest margin</h3>
        {{#lowest}}{{> table}}{{/lowest}}
        <p><a href="{{lowestHref}}" id="lowest-margin-more">All customers by margin{{#more}}, {{more}} more{{/more}}</a></p>
        {{#withoutRevenue}}<p class="notice">{{.}}</p>{{/withoutRevenue}}
        <h3>Where the cost goes</h3>
        {{#noCost}}<p class="notice">The cost report has no cost in these days.</p>{{/noCost}}
        {{^noCost}}<svg class="split" viewBox="0 0 100 4" preserveAspectRatio="none" role="img" aria-label="cost by attribution">{{#costParts}}<rect x="{{x}}" width="{{width}}" height="4" fill="{{color}}"><title>{{name}}: {{share}}</title></rect>{{/costParts}}</svg>
        <table id="cost-split"><tbody>{{#costParts}}<tr><td><a href="{{href}}">{{name}}</a></td><td class="num"><bdi title="{{exact}}">{{amount}}</bdi></td><td class="num">{{share}}</td><td class="muted">{{note}}</td></tr>{{/costParts}}</tbody></table>{{/noCost}}
        <p class="notice">{{completeness}}</p>
        </section>{{/home}}
        {{#homeHint}}<section class="card" id="margin-home"><p class="muted">{{.}}</p></section>{{/homeHint}}
        {{#homeRefusal}}<section class="card" id="margin-home"><p class="error">{{.}}</p></section>{{/homeRefusal}}
        """
}
