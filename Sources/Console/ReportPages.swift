import Foundation
import Hummingbird
import Importer
import Metronome
import TextOutput
import UnitEconomics

/// The six unit-economics reports (the same calls as `meterbridge report …`), cost sources and cost reports.
extension ConsoleServer {
    /// One report: its name in the URL (and the CLI), what it answers, and which inputs it takes.
    struct ReportKind {
        var name, title, summary: String
        var needsCostReport = false, needsRevenueMetric = false, needsMetric = false, metricRequired = true
        var metricLabel = "usage metric"
        var needsMetrics = false, needsScale = false, needsMargins = false
    }

    static let reportKinds: [ReportKind] = [
        ReportKind(
            name: "top-customers", title: "Top customers",
            summary: "Customers by total usage: total, daily average, share.",
            needsMetric: true, metricLabel: "metric"),
        ReportKind(
            name: "unit-cost", title: "Unit cost", summary: "COGS and cost per unit by customer.",
            needsCostReport: true,
            needsMetric: true, needsScale: true),
        ReportKind(
            name: "margin", title: "Margin", summary: "Revenue, COGS, gross profit and margin by customer.",
            needsCostReport: true,
            needsRevenueMetric: true, needsMetric: true, metricRequired: false, metricLabel: "allocate shared cost by"),
        ReportKind(
            name: "pricing", title: "Pricing", summary: "Cost per unit and the price for each target margin.",
            needsCostReport: true, needsMetric: true, needsScale: true, needsMargins: true),
        ReportKind(
            name: "allocate", title: "Allocation", summary: "Shared cost allocated per day by usage share.",
            needsCostReport: true,
            needsMetric: true),
        ReportKind(
            name: "portfolio", title: "Portfolio",
            summary: "Daily usage per metric and growth against the previous period.",
            needsMetrics: true),
    ]

    struct ReportForm {
        var name, title, summary: String
        var needsCostReport, needsRevenueMetric, needsMetric, metricRequired: Bool
        var metricLabel: String
        var needsMetrics, needsScale, needsMargins: Bool
        var costReports, revenueMetrics, usageMetrics, scales: [Choice]
        var noMetric: Bool
        var targetMargins: String
    }

    static let scaleChoices = ["1", "100", "1000", "1000000", "1000000000"]

    /// The id of a report page's table for the report's section `index` (what sort links name).
    static func sectionTableID(_ index: Int) -> String { "table-\(index + 1)" }

    /// What the report forms offer, read once per page.
    struct ReportInputs {
        var metrics: [BusinessMetric]
        /// Every report here sums usage, so a gauge (MAX, UNIQUE, LATEST) would only end in a refusal.
        var gauges: Set<String>
        var costReports: [String]

        var revenueMetrics: [String] { metrics.filter { $0.kind == .revenue }.map(\.title) }
    }

    func reportInputs() async throws -> ReportInputs {
        ReportInputs(
            metrics: try await metrics.all(), gauges: try await MetricReadModel(pool: pool).gaugeTitles(),
            costReports: try await CostReportStore(pool: pool).list().map(\.name))
    }

    /// A report's inputs as a form, each a list to choose from with the request's choice selected (the
    /// first one, or none where the input is optional, when the request makes none).
    func reportForm(_ kind: ReportKind, _ fields: FormFields, inputs: ReportInputs) -> ReportForm {
        let costReports = inputs.costReports
        let revenueMetrics = inputs.revenueMetrics
        let usageMetrics = inputs.metrics
            .filter { (kind.name == "top-customers" || $0.kind == .usage) && !inputs.gauges.contains($0.title) }
            .map(\.title)
        func choices(_ values: [String], _ key: String, firstByDefault: Bool = true) -> [Choice] {
            let chosen = fields[key] ?? (firstByDefault ? values.first : nil)
            return values.map { Choice(value: $0, selected: $0 == chosen) }
        }
        let chosenMetrics = Set(fields.all("metrics").flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) })
        return ReportForm(
            name: kind.name, title: kind.title, summary: kind.summary, needsCostReport: kind.needsCostReport,
            needsRevenueMetric: kind.needsRevenueMetric, needsMetric: kind.needsMetric, metricRequired: kind.metricRequired,
            metricLabel: kind.metricLabel, needsMetrics: kind.needsMetrics, needsScale: kind.needsScale,
            needsMargins: kind.needsMargins, costReports: choices(costReports, "cost-report"),
            revenueMetrics: choices(revenueMetrics, "revenue-metric"),
            usageMetrics: kind.needsMetrics
                ? usageMetrics.map { Choice(value: $0, selected: chosenMetrics.isEmpty || chosenMetrics.contains($0)) }
                : choices(usageMetrics, "metric", firstByDefault: kind.metricRequired),
            scales: choices(Self.scaleChoices, "scale"), noMetric: !kind.metricRequired && fields["metric"] == nil,
            targetMargins: fields["target-margins"] ?? "20,40,60")
    }

    func reportsPage(_ request: Request) async throws -> Response {
        let inputs = try await reportInputs()
        let home = try await marginHome(
            FormFields(query: request), revenueMetrics: inputs.revenueMetrics, costReports: inputs.costReports)
        let forms = Self.reportKinds.map { reportForm($0, FormFields(encoded: ""), inputs: inputs) }
        struct Model {
            var error: String?
            var home: MarginHomeModel?
            var homeHint, homeRefusal: String?
            var forms: [ReportForm]
        }
        return page(
            "Unit economics", section: "/reports", template: "reports",
            model: Model(error: nil, home: home.model, homeHint: home.hint, homeRefusal: home.refusal, forms: forms))
    }

    struct Fact { var key: String; var value: String? }
    struct ReportModel {
        var report: String
        /// The report's inputs, as sent (or the first of each when the request names none).
        var form: ReportForm
        var from, to: String
        var period: String
        /// The same report as CSV.
        var csvLink: String?
        /// The period runs past the inputs' complete data.
        var warning: String?
        var refusal: String?
        var completeness: String
        var notes: [String]
        var facts: [Fact]
        var chart: String?
        var sections: [ConsoleTable]
    }

    func reportPage(_ request: Request, name: String) async throws -> Response {
        guard let kind = Self.reportKinds.first(where: { $0.name == name }) else {
            throw HTTPError(.notFound, message: "no report named \(name)")
        }
        let fields = FormFields(query: request)
        // The report's inputs, kept when the date range changes and when something is refused.
        let kept = fields.pairs.filter { !["from", "to", "format", "sort"].contains($0.0) && !$0.1.isEmpty }
        let form = reportForm(kind, fields, inputs: try await reportInputs())
        /// The report's page with the form as it was sent and the message above it (not an error page).
        func refused(_ message: String, from: String, to: String) -> Response {
            let model = ReportModel(
                report: kind.name, form: form, from: from, to: to, period: "\(from) to \(to)", csvLink: nil, warning: nil,
                refusal: message, completeness: "", notes: [], facts: [], chart: nil, sections: [])
            return page(kind.title, section: "/reports", template: "report", model: model, status: .unprocessableContent)
        }
        let from: UTCDay
        let to: UTCDay
        do {
            (from, to) = try Self.dayRange(fields)
        } catch let error as HTTPError {
            return refused(error.body ?? "the dates are not valid", from: fields["from"] ?? "", to: fields["to"] ?? "")
        }
        let reports = UnitEconomicsReports(pool: pool)
        func required(_ key: String) throws -> String {
            guard let value = fields[key] else { throw HTTPError(.badRequest, message: "\(key) is required") }
            return value
        }
        let scale = Decimal(Int(fields["scale"] ?? "1") ?? 1)
        do {
            // Without dates, the last 30 days of complete data (the report ends them on its inputs' last
            // complete day); dates given are kept as asked, and a partial period is flagged. A form with
            // one date fills the other as the metric pages do (30 days).
            let dated = fields["from"] != nil || fields["to"] != nil
            let period = try PeriodChoice(from: dated ? from : nil, to: dated ? to : nil, lastDays: nil)
                .period(today: UTCDay(containing: Date()))
            let output: ReportOutput
            switch kind.name {
            case "top-customers":
                output = try await reports.topCustomers(metric: try required("metric"), period: period)
            case "unit-cost":
                output = try await reports.unitCost(
                    costReport: try required("cost-report"), metric: try required("metric"), period: period,
                    scale: scale)
            case "margin":
                output = try await reports.margin(
                    revenueMetric: try required("revenue-metric"), costReport: try required("cost-report"),
                    allocateBy: fields["metric"], period: period)
            case "pricing":
                let margins = try ReportCalculations.parseTargetMargins(fields["target-margins"] ?? "20,40,60")
                output = try await reports.pricing(
                    costReport: try required("cost-report"), metric: try required("metric"), targetMargins: margins,
                    period: period,
                    scale: scale)
            case "allocate":
                output = try await reports.allocate(
                    costReport: try required("cost-report"), metric: try required("metric"), period: period,
                    daily: false)
            default:
                let titles = fields.all("metrics").flatMap { $0.split(separator: ",") }
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !titles.isEmpty else { throw HTTPError(.badRequest, message: "metrics is required") }
                output = try await reports.portfolio(metrics: titles, period: period)
            }
            // The first table as CSV, byte for byte what `meterbridge report … --format csv` prints.
            if fields["format"] == "csv", let section = output.sections.first {
                let filename = "\(kind.name)-\(output.period.from)-\(output.period.to).csv"
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\""],
                    body: .init(byteBuffer: ByteBuffer(string: TableOutput(columns: section.columns, rows: section.rows).csv() + "\n")))
            }
            let query = FormFields.encode(
                kept + [("from", output.period.from.description), ("to", output.period.to.description), ("format", "csv")])
            let model = ReportModel(
                report: kind.name, form: form, from: output.period.from.description, to: output.period.to.description,
                period: output.period.description, csvLink: "/reports/\(kind.name)?\(query)", warning: output.partialPeriodWarning,
                refusal: nil, completeness: output.completeness.description, notes: output.notes,
                facts: output.facts.map { Fact(key: TableOutput.header($0.key), value: $0.value) },
                chart: output.chart.map { SVGChartRenderer().render($0) },
                sections: output.sections.enumerated().map { index, section in
                    ConsoleTable(
                        id: Self.sectionTableID(index),
                        title: output.currency.map { "\(section.title) in \($0)" } ?? section.title,
                        columns: section.columns, rows: section.rows, sort: ConsoleTable.Sort(fields["sort"]),
                        path: "/reports/\(kind.name)",
                        query: ConsoleTable.query(fields))
                })
            return page(kind.title, section: "/reports", template: "report", model: model)
        } catch let refusal as ReportRefusal {
            return refused(refusal.description, from: from.description, to: to.description)
        } catch let error as HTTPError where error.status == .badRequest {
            return refused(error.body ?? "the request is not valid", from: from.description, to: to.description)
        } catch let error as CostReportError {
            return refused(error.description, from: from.description, to: to.description)
        }
    }

    struct CostSourceRow {
        var source, currency, periodStart, periodEnd, rows: String
        var effectiveCost, billedCost: ConsoleTable.Cell
    }
    struct CostReportRow {
        var name, filters: String; var customerTag: String?; var createdAt: String
        /// What the report's conditions match together: rows and cost by currency.
        var matchedRows: String
        var matchedCost: String
        var warnings: [String]
    }

    func costsPage() async throws -> Response {
        let sources = try await CostStore(pool: pool).list().map {
            CostSourceRow(
                source: $0.source, currency: $0.currency, periodStart: $0.periodStart.description,
                periodEnd: $0.periodEnd.description,
                rows: NumberText.grouped($0.rows), effectiveCost: ConsoleTable.Cell("\($0.effectiveCost)", column: "cost"),
                billedCost: ConsoleTable.Cell("\($0.billedCost)", column: "cost"))
        }
        let store = CostReportStore(pool: pool)
        var reports: [CostReportRow] = []
        for report in try await store.list() {
            // No silent emptiness: what each report matches, and why it matches nothing when it does not.
            let match = try await store.match(report.filters)
            reports.append(
                CostReportRow(
                    name: report.name, filters: report.filters.map(\.description).joined(separator: "; "),
                    customerTag: report.customerTag, createdAt: Self.timestamp(report.createdAt),
                    matchedRows: NumberText.grouped(match.report.rows),
                    matchedCost: match.report.cost.sorted { $0.key < $1.key }
                        .map { "\(NumberText.grouped($0.value, fractionDigits: 2)) \($0.key)" }.joined(separator: ", "),
                    warnings: match.warnings))
        }
        struct Model { var sources: [CostSourceRow]; var reports: [CostReportRow] }
        return page("Costs", section: "/costs", template: "costs", model: Model(sources: sources, reports: reports))
    }
}
