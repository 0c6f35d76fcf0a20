import UseCases
import Foundation
import Importer
import MCP
import Metronome
import UnitEconomics

/// What exists and how far it is imported: metrics, their values, cost reports, cost sources, status.
enum CatalogTools {
    static let all: [MeterBridgeTool] = [listMetrics, metricValues, listCostReports, listCostSources, importStatus]

    static let noInput = JSONSchema.object([:])

    // MARK: list_metrics

    static let metricItem = JSONSchema.object(
        [
            "title": JSONSchema.text, "kind": JSONSchema.text, "source": JSONSchema.text,
            "label_source": JSONSchema.text,
            "since": JSONSchema.text, "status": JSONSchema.text, "complete_through": JSONSchema.nullableText,
            "rows": JSONSchema.count, "failed_jobs": JSONSchema.count, "aggregation": JSONSchema.nullableText,
            "summable": ["type": "boolean"], "currency": JSONSchema.nullableText,
        ],
        required: ["title", "kind", "status", "complete_through", "summable"], additional: true)

    static let listMetrics = MeterBridgeTool(
        name: "list_metrics", title: "List business metrics",
        description: """
            Every business metric: its title (what the other tools take), kind (usage or revenue), source (billable \
            metric or credit type), label source, first day, import status, the day it is complete through, stored \
            rows and failed jobs; for usage its aggregation and whether it may be summed (MAX, UNIQUE and LATEST are \
            levels, not amounts); for revenue its currency.
            """,
        input: noInput, output: JSONSchema.list("metrics", of: metricItem)
    ) { _, context in
        let metrics = try await metricCatalog(context)
        let lines = metrics.compactMap { $0.objectValue }.map { metric in
            "\(metric["title"]?.stringValue ?? "?") (\(metric["kind"]?.stringValue ?? "?"), \(metric["status"]?.stringValue ?? "?"), "
                + "complete through \(metric["complete_through"]?.stringValue ?? "no day yet"))"
        }
        return ToolAnswer(
            summary: "\(metrics.count) business metric(s)"
                + (lines.isEmpty ? "." : ":\n" + lines.joined(separator: "\n")),
            structured: ["metrics": .array(metrics)])
    }

    /// The metric catalog: `metric list`'s rows plus what an analysis needs to know about each metric.
    static func metricCatalog(_ context: ToolContext) async throws -> [Value] {
        var metrics: [Value] = []
        for status in try await MetricStatus.all(pool: context.readPool) {
            let info = try await context.data.metric(titled: status.title)
            metrics.append([
                "title": .string(status.title), "kind": .string(status.kind), "source": .string(status.source),
                "label_source": .string(status.labelSource.name), "since": .string(status.since),
                "status": .string(status.status.rawValue),
                "complete_through": .text(status.completeThrough), "rows": .int(status.rows),
                "failed_jobs": .int(status.failedJobs),
                "aggregation": .text(info.aggregationType?.rawValue), "summable": .bool(!info.isGauge),
                "currency": .text(info.revenueCurrency),
            ])
        }
        return metrics
    }

    // MARK: metric_values

    static let metricValues = MeterBridgeTool(
        name: "metric_values", title: "A metric's values",
        description: """
            A business metric's imported values per customer label, by day, ISO week (starting Monday) or calendar \
            month; optionally only the top N customers by total (the rest summed into one "(other …)" row per \
            period) or one label. Weeks and months at the edges hold only the days inside from…to. Gauge metrics \
            (MAX, UNIQUE, LATEST) are shown by day only and never summed: top ranks them by their peak and leaves \
            the rest out. Period: from/to or last_days (default 30), at most \(MCPLimits.maximumPeriodDays) days; \
            at most \(MCPLimits.maximumValueRows) rows.
            """,
        input: JSONSchema.object(
            [
                "title": JSONSchema.string("The metric's title, exactly as list_metrics shows it."),
                "group_by": JSONSchema.oneOf(
                    "Sum values per day, week or month.", ["day", "week", "month"], default: "day"),
                "top": JSONSchema.integer("Only the N customers with the largest total.", minimum: 1, maximum: 100),
                "label": JSONSchema.string("Only this customer label."),
            ].merging(ToolArguments.periodProperties) { $1 }, required: ["title"]),
        output: JSONSchema.object(
            [
                "metric": JSONSchema.text, "kind": JSONSchema.text, "aggregation": JSONSchema.nullableText,
                "from": JSONSchema.text, "to": JSONSchema.text, "group_by": JSONSchema.text,
                "complete_through": JSONSchema.nullableText, "formula": JSONSchema.text,
                "total": JSONSchema.nullableText,
                "values": [
                    "type": "array",
                    "items": JSONSchema.object(
                        [
                            "period_start": JSONSchema.text, "label": JSONSchema.text,
                            "customer_id": JSONSchema.nullableText, "amount": JSONSchema.text,
                        ],
                        required: ["period_start", "label", "customer_id", "amount"]),
                ],
            ], required: ["metric", "from", "to", "group_by", "complete_through", "formula", "values"], additional: true
        )
    ) { arguments, context in
        let period = try arguments.period(today: context.today())
        let title = try arguments.requiredText("title")
        let grouping = MetricValueGrouping.Bucket(
            rawValue: try arguments.choice("group_by", of: ["day", "week", "month"]) ?? "day")!
        let top = try arguments.integer("top", in: 1...100)
        let label = try arguments.text("label")
        let info = try await context.data.metric(titled: title)
        if info.isGauge, grouping != .day {
            try info.requireSummable(for: "a total per \(grouping.rawValue)")
        }
        let (_, values) = try await MetricValues(pool: context.readPool).of(
            titled: title, from: period.from, to: period.to, label: label)
        let grouped = MetricValueGrouping(bucket: grouping, top: top, gauge: info.isGauge).group(
            values.map {
                .init(day: $0.day, label: $0.label, customerID: $0.customerID, amount: $0.amount)
            })
        guard grouped.rows.count <= MCPLimits.maximumValueRows else {
            throw ToolInputError(
                "the answer would hold \(grouped.rows.count) rows (at most \(MCPLimits.maximumValueRows)): "
                    + "ask for a shorter period, group by week or month, or pass top")
        }
        let through = try await context.data.completeThrough(info)
        let structured: Value = [
            "metric": .string(info.title), "kind": .string(info.kind.rawValue),
            "aggregation": .text(info.aggregationType?.rawValue),
            "from": .string(period.from.description), "to": .string(period.to.description),
            "group_by": .string(grouping.rawValue),
            "complete_through": .text(through?.description), "formula": .string(grouped.formula),
            "total": .text(grouped.total.map(ReportNumber.amount)),
            "values": .array(
                grouped.rows.map { row in
                    [
                        "period_start": .string(row.periodStart.description), "label": .string(row.label),
                        "customer_id": .text(row.customerID),
                        "amount": .string(ReportNumber.amount(row.amount)),
                    ]
                }),
        ]
        var summary = [
            "\(info.title), \(period), by \(grouping.rawValue): \(grouped.rows.count) value(s) for \(grouped.customers) customer(s)"
                + (grouped.total.map { "; total \(ReportNumber.amount($0))" } ?? "") + ".",
            grouped.formula,
            "Data complete through \(through?.description ?? "no day yet"); Metronome data of the last ~35 days may still change.",
        ]
        if values.isEmpty { summary.insert("No values in this period.", at: 1) }
        return ToolAnswer(summary: summary.joined(separator: "\n"), structured: structured)
    }

    // MARK: list_cost_reports

    static let listCostReports = MeterBridgeTool(
        name: "list_cost_reports", title: "List cost reports",
        description: """
            The saved cost reports (named filters over imported cloud cost, e.g. COGS) that unit_cost, gross_margin, \
            price_for_margin and allocate_shared_cost take: their filters and the tag that names the customer.
            """,
        input: noInput,
        output: JSONSchema.list(
            "cost_reports",
            of: JSONSchema.object(
                [
                    "name": JSONSchema.text, "filters": JSONSchema.text, "customer_tag": JSONSchema.nullableText,
                    "created_at": JSONSchema.text,
                ],
                required: ["name", "filters", "customer_tag", "created_at"]))
    ) { _, context in
        let reports = try await CostReportStore(pool: context.readPool).list()
        let items: [Value] = reports.map { report in
            [
                "name": .string(report.name),
                "filters": .string(report.filters.map(\.description).joined(separator: " ")),
                "customer_tag": .text(report.customerTag), "created_at": .string(Self.timestamp(report.createdAt)),
            ]
        }
        let lines = reports.map { "\($0.name): \($0.filters.map(\.description).joined(separator: " "))" }
        return ToolAnswer(
            summary: "\(reports.count) cost report(s)" + (lines.isEmpty ? "." : ":\n" + lines.joined(separator: "\n")),
            structured: ["cost_reports": .array(items)])
    }

    // MARK: list_cost_sources

    static let listCostSources = MeterBridgeTool(
        name: "list_cost_sources", title: "List imported cost",
        description:
            "Imported cloud cost (FOCUS) per source and currency: the days covered, rows, and total effective and billed cost.",
        input: noInput,
        output: JSONSchema.list(
            "cost_sources",
            of: JSONSchema.object(
                [
                    "source": JSONSchema.text, "currency": JSONSchema.text, "period_start": JSONSchema.text,
                    "period_end": JSONSchema.text, "rows": JSONSchema.text, "effective_cost": JSONSchema.text,
                    "billed_cost": JSONSchema.text,
                ],
                required: ["source", "currency", "period_start", "period_end", "rows", "effective_cost", "billed_cost"])
        )
    ) { _, context in
        let sources = try await CostStore(pool: context.readPool).list()
        let items: [Value] = sources.map { source in
            [
                "source": .string(source.source), "currency": .string(source.currency),
                "period_start": .string(source.periodStart.description),
                "period_end": .string(source.periodEnd.description),
                "rows": .string(String(source.rows)),
                "effective_cost": .string(ReportNumber.amount(source.effectiveCost)),
                "billed_cost": .string(ReportNumber.amount(source.billedCost)),
            ]
        }
        let lines = sources.map {
            "\($0.source) (\($0.currency)): \($0.periodStart) to \($0.periodEnd), effective cost \(ReportNumber.amount($0.effectiveCost))"
        }
        return ToolAnswer(
            summary: "\(sources.count) cost source(s)" + (lines.isEmpty ? "." : ":\n" + lines.joined(separator: "\n")),
            structured: ["cost_sources": .array(items)])
    }

    // MARK: import_status

    static let importStatus = MeterBridgeTool(
        name: "import_status", title: "Import status",
        description: """
            What `meterbridge status` shows: per connection its health and request rate; per metric its state \
            (ready, importing, pending, failed), complete-through day, rows, jobs by state, progress and the newest \
            errors. Use it to tell whether recent numbers are final.
            """,
        input: noInput,
        output: JSONSchema.object(
            [
                "connections": ["type": "array", "items": ["type": "object"]],
                "metrics": [
                    "type": "array",
                    "items": JSONSchema.object(
                        [
                            "title": JSONSchema.text, "state": JSONSchema.text,
                            "complete_through": JSONSchema.nullableText,
                        ],
                        required: ["title", "state", "complete_through"], additional: true),
                ],
            ], required: ["connections", "metrics"], additional: true)
    ) { _, context in
        let clock = try ImportClock.fromEnvironment()
        let status = try await ImportStatus.load(pool: context.readPool, today: clock.today)
        let connections: [Value] = status.connections.map { connection in
            [
                "name": .string(connection.name), "status": .string(connection.status),
                "rate_limit": .string(ReportNumber.amount(connection.rateLimit)),
                "current_rate": .double(connection.currentRate),
                "requests": .int(connection.requests), "rate_limited": .int(connection.rateLimited),
                "last_error": .text(connection.lastError),
                "backfill_requests": connection.plan.map { .int($0.backfillRequests) } ?? .null,
                "backfill_seconds": .number(connection.plan?.backfillSeconds),
            ]
        }
        let metrics: [Value] = status.metrics.map { metric in
            [
                "title": .string(metric.title), "connection": .string(metric.connection), "kind": .string(metric.kind),
                "state": .string(metric.state.rawValue), "complete_through": .text(metric.completeThrough),
                "rows": .int(metric.rows),
                "jobs": .object(metric.jobs.mapValues { .int($0) }), "percent_done": .double(metric.percentDone),
                "eta_seconds": .number(metric.etaSeconds),
                "newest_errors": .array(metric.newestErrors.map { .string($0) }),
            ]
        }
        var states: [String: Int] = [:]
        for metric in status.metrics { states[metric.state.rawValue, default: 0] += 1 }
        let lines =
            status.connections.map {
                "connection \($0.name): \($0.status)" + ($0.lastError.map { ", last error: \($0)" } ?? "")
            }
            + status.metrics.map { "\($0.title): \($0.state), complete through \($0.completeThrough ?? "no day yet")" }
        return ToolAnswer(
            summary: "\(status.connections.count) connection(s), \(status.metrics.count) metric(s) ("
                + states.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ").\n"
                + lines.joined(separator: "\n"),
            structured: ["connections": .array(connections), "metrics": .array(metrics)])
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
