import TextOutput
import Foundation
import HTTPTypes
import Hummingbird
import Importer
import JobQueue
import Metronome
import NIOCore
import UnitEconomics
import UseCases

/// The metrics list, a metric's chart, table and CSV, and reimporting a range.
extension ConsoleServer {
    struct MetricRow {
        var id: Int64
        var title, kind, source, labelSource, status: String
        var completeThrough: String?
        var rows: String
    }

    func metricsPage() async throws -> Response {
        let ids = Dictionary(try await metrics.all().map { ($0.title, $0.id) }, uniquingKeysWith: { first, _ in first })
        let rows = try await MetricStatus.all(pool: pool).map {
            MetricRow(
                id: ids[$0.title] ?? 0, title: $0.title, kind: $0.kind, source: $0.source, labelSource: $0.labelSource.name,
                status: $0.status.rawValue, completeThrough: $0.completeThrough, rows: NumberText.grouped($0.rows))
        }
        struct Model { var metrics: [MetricRow] }
        return page("Metrics", section: "/metrics", template: "metrics", model: Model(metrics: rows))
    }

    /// The metric and its status row, or 404.
    func metric(id: Int64) async throws -> (BusinessMetric, MetricStatus) {
        guard let metric = try await metrics.find(id: id),
            let status = try await MetricStatus.all(pool: pool).first(where: { $0.title == metric.title })
        else { throw HTTPError(.notFound, message: "no metric with id \(id)") }
        return (metric, status)
    }

    /// The `from`/`to` of a request (UTC days, inclusive), the last 30 days by default.
    static func dayRange(_ fields: FormFields) throws -> (UTCDay, UTCDay) {
        let today = UTCDay(containing: Date())
        func day(_ key: String) throws -> UTCDay? {
            guard let text = fields[key] else { return nil }
            guard let day = UTCDay(text) else {
                throw HTTPError(.badRequest, message: "\(key): expected a day like 2026-01-31")
            }
            return day
        }
        let to = try day("to") ?? today
        let from = try day("from") ?? to.adding(days: -29)
        guard from <= to else { throw HTTPError(.badRequest, message: "to is before from") }
        return (from, to)
    }


    struct MetricModel {
        var id: Int64
        var kind, source, labelSource, status: String
        var completeThrough: String?
        var rows: String
        var from, to: String
        var top: Int
        var chart: String
        var totals: ConsoleTable
        var values: ConsoleTable
        var truncated: Bool
        var shown, count: Int
        var actions: Bool
        var csrf: String
    }

    static let valueRowsShown = 1_000

    func metricPage(_ request: Request, id: Int64) async throws -> Response {
        let (metric, status) = try await metric(id: id)
        let fields = FormFields(query: request)
        let (from, to) = try Self.dayRange(fields)
        let top = min(max(Int(fields["top"] ?? "") ?? 5, 1), 20)
        let values = try await using { try await MetricValues(pool: pool).of(metric, from: from, to: to) }
        let sort = ConsoleTable.Sort(fields["sort"])
        let path = "/metrics/\(metric.id)"
        let query = ConsoleTable.query(fields)

        var totals: [String: Decimal] = [:]
        for value in values { totals[value.label, default: 0] += value.amount }
        let ranked = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let chart = Self.dailyChart(
            title: metric.title, values: values, ranked: ranked.map(\.key), top: top, from: from, to: to)
        let model = MetricModel(
            id: metric.id, kind: status.kind, source: status.source, labelSource: status.labelSource.name,
            status: status.status.rawValue,
            completeThrough: status.completeThrough, rows: NumberText.grouped(status.rows), from: from.description, to: to.description,
            top: top,
            chart: SVGChartRenderer().render(chart),
            totals: ConsoleTable(
                id: "totals", columns: ["label", "total"], rows: ranked.map { [$0.key, "\($0.value)"] }, sort: sort,
                path: path, query: query),
            values: ConsoleTable(
                id: "values", columns: ["day", "label", "customer_id", "amount"],
                rows: values.prefix(Self.valueRowsShown).map {
                    [$0.day.description, $0.label, $0.customerID, "\($0.amount)"]
                }, sort: sort, path: path, query: query),
            truncated: values.count > Self.valueRowsShown, shown: min(values.count, Self.valueRowsShown),
            count: values.count,
            actions: actions, csrf: csrf)
        return page(metric.title, section: "/metrics", template: "metric", model: model)
    }

    /// Daily lines of the `top` labels by total and one "other" line for the rest.
    static func dailyChart(
        title: String, values: [MetricStore.LabeledValue], ranked: [String], top: Int, from: UTCDay, to: UTCDay
    )
        -> ChartData
    {
        let days = (0...(to.daysSinceEpoch - from.daysSinceEpoch)).map { from.adding(days: $0) }
        let index = Dictionary(uniqueKeysWithValues: days.enumerated().map { ($1, $0) })
        let shown = Array(ranked.prefix(top))
        let position = Dictionary(uniqueKeysWithValues: shown.enumerated().map { ($1, $0) })
        var series = shown.map { ChartData.Series(name: $0, values: Array(repeating: Decimal(0), count: days.count)) }
        var other = Array(repeating: Decimal(0), count: days.count)
        for value in values {
            guard let day = index[value.day] else { continue }
            if let line = position[value.label] {
                series[line].values[day] = (series[line].values[day] ?? 0) + value.amount
            } else {
                other[day] += value.amount
            }
        }
        if ranked.count > top { series.append(ChartData.Series(name: "other", values: other)) }
        return ChartData(
            title: "\(title), daily", style: .lines, categories: days.map(\.description), series: series,
            yAxisLabel: title)
    }

    /// Exactly what `meterbridge metric values --title T --from F --to T --format csv` prints.
    func metricCSV(_ request: Request, id: Int64) async throws -> Response {
        guard let metric = try await metrics.find(id: id) else {
            throw HTTPError(.notFound, message: "no metric with id \(id)")
        }
        let fields = FormFields(query: request)
        let from = try fields["from"].map { text in
            guard let day = UTCDay(text) else { throw HTTPError(.badRequest, message: "from: expected a day") }
            return day
        }
        let to = try fields["to"].map { text in
            guard let day = UTCDay(text) else { throw HTTPError(.badRequest, message: "to: expected a day") }
            return day
        }
        let values = try await using { try await MetricValues(pool: pool).of(metric, from: from, to: to) }
        let csv =
            TableOutput(
                columns: ["day", "label", "customer_id", "amount"],
                rows: values.map { [$0.day.description, $0.label, $0.customerID, "\($0.amount)"] }
            ).render(.csv) + "\n"
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"metric-\(metric.id)-values.csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    /// The same call as `meterbridge reimport --metric T --from F --to T`.
    func reimport(_ request: Request, id: Int64) async throws -> Response {
        let form = try await FormFields.post(request, secrets: secrets)
        guard let metric = try await metrics.find(id: id) else {
            throw HTTPError(.notFound, message: "no metric with id \(id)")
        }
        let (from, to) = try Self.dayRange(form)
        let reimport = try await using {
            try await jobs.reimport(.metric(title: metric.title), from: from, to: to, today: UTCDay(containing: Date()))
        }
        let added = reimport.jobsEnqueued
        return message(
            "Reimport", section: "/metrics",
            "Enqueued \(added) reimport job(s)\(added == 0 ? " (already queued or nothing in range)" : "") for \(metric.title), \(from) to \(to).",
            back: "/metrics/\(metric.id)?from=\(from)&to=\(to)")
    }
}
