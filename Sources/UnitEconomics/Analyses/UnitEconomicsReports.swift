import Metronome
public import Foundation
public import Postgres

/// The six analyses of unit economics, each returning a ``ReportOutput`` with exact decimals, notes and
/// the day through which its data is complete. Refuses (``ReportRefusal``) rather than print a wrong
/// number: mixed currencies, summed gauges, cost per unit of zero units.
public struct UnitEconomicsReports: Sendable {
    let data: ReportDataSource
    let costReports: CostReportStore

    public init(pool: PostgresConnectionPool) {
        data = ReportDataSource(pool: pool)
        costReports = CostReportStore(pool: pool)
    }

    static let totalLabel = "(total)"
    static let unallocatedLabel = "(unallocated: shared cost on days without usage)"
    static let chartLimit = 20

    // MARK: 1. Top customers by usage

    public func topCustomers(metric title: String, period asked: ReportPeriod) async throws -> ReportOutput {
        let metric = try await data.metric(titled: title)
        try metric.requireSummable(for: "a total per customer")
        let completeness = ReportCompleteness(parts: [("\(metric.kind.rawValue) \"\(metric.title)\"", try await data.completeThrough(metric))])
        let period = asked.settled(completeThrough: completeness.through)
        let values = try await data.values(of: metric, in: period)
        let labels = try await data.labels(for: metric)
        var totals: [String: Decimal] = [:]
        for day in values.values { for (customer, amount) in day { totals[customer, default: 0] += amount } }
        let grand = totals.values.reduce(Decimal.zero, +)
        let days = Decimal(period.dayCount)
        let ranked = totals.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
        var rows: [[String?]] = ranked.enumerated().map { index, entry in
            [
                String(index + 1), labels[entry.key] ?? entry.key, entry.key, ReportNumber.amount(entry.value),
                ReportNumber.unitCost(entry.value / days),
                ReportNumber.percent(grand.isZero ? nil : entry.value / grand * 100),
            ]
        }
        rows.append([nil, Self.totalLabel, nil, ReportNumber.amount(grand), ReportNumber.unitCost(grand / days), grand.isZero ? nil : "100"])
        return ReportOutput(
            report: "top-customers", period: period,
            sections: [.init(title: "Top customers by \(metric.title)", columns: ["rank", "customer", "customer_id", "total", "daily_average", "share_pct"], rows: rows)],
            notes: ["daily_average = total / \(period.dayCount) days in the period; share_pct = total / Σ total × 100."],
            completeness: completeness,
            facts: [("metric", metric.title), ("customers", String(totals.count))])
    }

    // MARK: 2. COGS and cost per unit by customer

    public func unitCost(costReport name: String, metric title: String, period asked: ReportPeriod, scale: Decimal = 1) async throws
        -> ReportOutput
    {
        guard ReportCalculations.scales.contains(scale) else {
            throw ReportRefusal(.scale, "must be one of 1, 100, 1000, 1000000, 1000000000")
        }
        let inputs = try await allocationInputs(costReport: name, metric: title, period: asked)
        let period = inputs.period
        let result = CostAllocator().allocate(cost: inputs.cost.byDay, usage: inputs.usage)
        let ranked = result.customers.sorted { $0.cogs == $1.cogs ? $0.customerID < $1.customerID : $0.cogs > $1.cogs }
        var rows: [[String?]] = ranked.enumerated().map { index, customer in
            [
                String(index + 1), inputs.labels[customer.customerID] ?? customer.customerID, customer.customerID,
                ReportNumber.amount(customer.cogs), ReportNumber.amount(customer.direct), ReportNumber.amount(customer.shared),
                ReportNumber.amount(customer.units),
                ReportNumber.unitCost(ReportCalculations.costPerUnit(cost: customer.cogs, units: customer.units, scale: scale)),
            ]
        }
        rows += Self.extraCostRows(inputs.cost, result, columns: 8, amountColumn: 3)
        let totalUnits = result.customers.reduce(Decimal.zero) { $0 + $1.units }
        rows.append([
            nil, Self.totalLabel, nil, ReportNumber.amount(inputs.cost.total),
            ReportNumber.amount(result.customers.reduce(Decimal.zero) { $0 + $1.direct } + inputs.cost.unmatched.reduce(Decimal.zero) { $0 + $1.amount }),
            ReportNumber.amount(inputs.cost.shared), ReportNumber.amount(totalUnits),
            ReportNumber.unitCost(ReportCalculations.costPerUnit(cost: inputs.cost.total, units: totalUnits, scale: scale)),
        ])
        let (shown, footnote) = Self.chartCustomers(
            ranked.map(\.customerID), best: ranked.map(\.customerID), worst: ranked.reversed().map(\.customerID),
            bestLabel: "the highest COGS", worstLabel: "the lowest")
        let byID = Dictionary(uniqueKeysWithValues: ranked.map { ($0.customerID, $0) })
        let top = shown.compactMap { byID[$0] }
        let chart = ChartData(
            title: "Cost per \(scale == 1 ? "unit" : "\(scale) units") of \(inputs.metric.title) (\(name))", style: .bars,
            categories: top.map { inputs.labels[$0.customerID] ?? $0.customerID },
            series: [.init(name: "cost per \(scale == 1 ? "unit" : "\(scale) units") (\(inputs.cost.currency ?? "?"))",
                values: top.map { ReportCalculations.costPerUnit(cost: $0.cogs, units: $0.units, scale: scale) })],
            yAxisLabel: inputs.cost.currency ?? "cost", footnote: footnote)
        return ReportOutput(
            report: "unit-cost", period: period,
            sections: [.init(
                title: "COGS and cost per unit by customer", columns: ["rank", "customer", "customer_id", "cogs", "direct_cost", "shared_cost", "units", "cost_per_unit"],
                rows: rows)],
            notes: try await emptyCostNotes(inputs.costReport, inputs.cost, period: period) + Self.allocationNotes(inputs, result) + [
                "cost_per_unit = cogs / (units / \(scale)); empty where a customer has no units (undefined, not zero).",
            ],
            completeness: inputs.completeness,
            facts: [("cost_report", name), ("metric", inputs.metric.title), ("currency", inputs.cost.currency), ("scale", "\(scale)")],
            chart: chart)
    }

    // MARK: 3. Gross margin by customer

    public func margin(revenueMetric title: String, costReport name: String, allocateBy usageTitle: String?, period asked: ReportPeriod)
        async throws -> ReportOutput
    {
        try await marginReport(revenueMetric: title, costReport: name, allocateBy: usageTitle, period: asked).output
    }

    /// The margin report and the cost it was computed from (the margin summary splits that cost).
    func marginReport(revenueMetric title: String, costReport name: String, allocateBy usageTitle: String?, period asked: ReportPeriod)
        async throws -> (output: ReportOutput, cost: ReportCost)
    {
        let revenueMetric = try await data.metric(titled: title)
        guard revenueMetric.kind == .revenue else {
            throw ReportRefusal(.revenueMetric, "metric \"\(title)\" is a usage metric; a revenue metric is needed")
        }
        guard let revenueCurrency = revenueMetric.revenueCurrency else {
            throw ReportRefusal("metric \"\(title)\" is in credit type \"\(revenueMetric.creditTypeName ?? "?")\", which is not a currency: margin needs money")
        }
        let report = try await costReports.named(name)
        var usageMetric: BusinessMetricInfo?
        if let usageTitle {
            let metric = try await data.metric(titled: usageTitle)
            try metric.requireSummable(for: "allocating shared cost by usage share")
            guard metric.connectionID == revenueMetric.connectionID else {
                throw ReportRefusal("metrics \"\(title)\" and \"\(usageTitle)\" come from different connections: their customers differ")
            }
            usageMetric = metric
        }
        var parts: [(name: String, through: UTCDay?)] = [
            ("revenue \"\(title)\"", try await data.completeThrough(revenueMetric)), ("cost \"\(name)\"", try await data.costCompleteThrough(report)),
        ]
        if let usageMetric { parts.append(("usage \"\(usageMetric.title)\"", try await data.completeThrough(usageMetric))) }
        let period = asked.settled(completeThrough: ReportCompleteness(parts: parts).through)
        let cost = try await data.cost(of: report, in: period, connectionID: revenueMetric.connectionID)
        if let costCurrency = cost.currency, costCurrency.uppercased() != revenueCurrency {
            throw ReportRefusal(
                "revenue (\"\(title)\") is in \(revenueCurrency) but cost report \"\(name)\" is in \(costCurrency): "
                    + "a margin needs revenue and cost in one currency")
        }
        let revenueValues = try await data.values(of: revenueMetric, in: period)
        var revenue: [String: Decimal] = [:]
        for day in revenueValues.values { for (customer, amount) in day { revenue[customer, default: 0] += amount } }
        var usage: [UTCDay: [String: Decimal]] = [:]
        var costByDay = cost.byDay
        if let usageMetric {
            usage = try await data.values(of: usageMetric, in: period)
        } else {
            // Without a usage metric, shared cost is not split: it stays on its own row.
            for day in costByDay.keys { costByDay[day]?.shared = 0 }
        }
        let result = CostAllocator().allocate(cost: costByDay, usage: usage)
        var cogs: [String: Decimal] = [:]
        for customer in result.customers { cogs[customer.customerID] = customer.cogs }
        let labels = try await data.labels(for: revenueMetric)
        let customers = Set(revenue.keys).union(cogs.keys).sorted { lhs, rhs in
            let (l, r) = (revenue[lhs] ?? 0, revenue[rhs] ?? 0)
            return l == r ? lhs < rhs : l > r
        }
        var rows: [[String?]] = customers.map { customer in
            let r = revenue[customer]
            let c = cogs[customer] ?? 0
            return [
                labels[customer] ?? customer, customer, ReportNumber.amount(r ?? 0), ReportNumber.amount(c),
                ReportNumber.amount((r ?? 0) - c),
                ReportNumber.percent(ReportCalculations.grossMarginPercent(revenue: r, cogs: c)),
                ReportNumber.percent(ReportCalculations.costPercentOfRevenue(revenue: r, cogs: c)),
            ]
        }
        for unmatched in cost.unmatched {
            rows.append([unmatched.label, nil, nil, ReportNumber.amount(unmatched.amount), ReportNumber.amount(-unmatched.amount), nil, nil])
        }
        if usageMetric == nil, !cost.shared.isZero {
            rows.append(["(shared cost, not allocated: pass --metric to split it by usage)", nil, nil, ReportNumber.amount(cost.shared), ReportNumber.amount(-cost.shared), nil, nil])
        } else if !result.unallocated.isZero {
            rows.append([Self.unallocatedLabel, nil, nil, ReportNumber.amount(result.unallocated), ReportNumber.amount(-result.unallocated), nil, nil])
        }
        let totalRevenue = revenue.values.reduce(Decimal.zero, +)
        rows.append([
            Self.totalLabel, nil, ReportNumber.amount(totalRevenue), ReportNumber.amount(cost.total),
            ReportNumber.amount(totalRevenue - cost.total),
            ReportNumber.percent(ReportCalculations.grossMarginPercent(revenue: totalRevenue, cogs: cost.total)),
            ReportNumber.percent(ReportCalculations.costPercentOfRevenue(revenue: totalRevenue, cogs: cost.total)),
        ])
        // The losers as visible as the winners: the most revenue, then the lowest gross profit.
        let (top, footnote) = Self.chartCustomers(
            customers, best: customers, worst: customers.sorted { lhs, rhs in
                let (l, r) = ((revenue[lhs] ?? 0) - (cogs[lhs] ?? 0), (revenue[rhs] ?? 0) - (cogs[rhs] ?? 0))
                return l == r ? lhs < rhs : l < r
            }, bestLabel: "the most revenue", worstLabel: "the lowest gross profit")
        let chart = ChartData(
            title: "Revenue and COGS by customer (\(revenueCurrency))", style: .bars,
            categories: top.map { labels[$0] ?? $0 },
            series: [
                .init(name: "revenue", values: top.map { revenue[$0] ?? 0 }),
                .init(name: "COGS", values: top.map { cogs[$0] ?? 0 }),
                .init(name: "gross profit", values: top.map { (revenue[$0] ?? 0) - (cogs[$0] ?? 0) }),
            ],
            yAxisLabel: revenueCurrency, footnote: footnote)
        let output = ReportOutput(
            report: "margin", period: period,
            sections: [.init(
                title: "Gross margin by customer",
                columns: ["customer", "customer_id", "revenue", "cogs", "gross_profit", "gross_margin_pct", "cost_pct_of_revenue"], rows: rows)],
            notes: try await emptyCostNotes(report, cost, period: period) + [
                "gross_margin_pct = (revenue − cogs) / revenue × 100 over the period's sums (never a mean of daily margins); "
                    + "empty where revenue is 0 or missing (undefined, not 0%).",
                usageMetric.map { "Shared cost is allocated per day by each customer's share of \"\($0.title)\"." }
                    ?? "Only cost tagged with a customer is attributed to customers; shared cost is on its own row.",
            ],
            completeness: ReportCompleteness(parts: parts),
            facts: [("revenue_metric", title), ("cost_report", name), ("currency", revenueCurrency)],
            chart: chart)
        return (output, cost)
    }

    // MARK: 4. Pricing for target margins

    public func pricing(costReport name: String, metric title: String, targetMargins: [Decimal], period asked: ReportPeriod, scale: Decimal = 1)
        async throws -> ReportOutput
    {
        guard ReportCalculations.scales.contains(scale) else {
            throw ReportRefusal(.scale, "must be one of 1, 100, 1000, 1000000, 1000000000")
        }
        guard !targetMargins.isEmpty else { throw ReportRefusal(.targetMargins, "needs at least one margin") }
        let metric = try await data.metric(titled: title)
        try metric.requireSummable(for: "the total units of the period")
        let report = try await costReports.named(name)
        let completeness = ReportCompleteness(parts: [
            ("usage \"\(title)\"", try await data.completeThrough(metric)), ("cost \"\(name)\"", try await data.costCompleteThrough(report)),
        ])
        let period = asked.settled(completeThrough: completeness.through)
        let cost = try await data.cost(of: report, in: period, connectionID: nil)
        let units = try await data.values(of: metric, in: period).values.reduce(Decimal.zero) { sum, day in
            day.values.reduce(sum, +)
        }
        guard let unitCost = ReportCalculations.costPerUnit(cost: cost.total, units: units, scale: scale) else {
            throw ReportRefusal("metric \"\(title)\" has no units in \(period): cost per unit is undefined, so no price can be derived")
        }
        guard cost.currency != nil else {
            let warnings = try await costReports.match(report.filters).warnings
            throw ReportRefusal(
                "cost report \"\(name)\" has no cost in \(period): a price from a cost of 0 would be 0"
                    + (warnings.isEmpty ? "" : " (" + warnings.joined(separator: " ") + ")"))
        }
        let unitText = ReportNumber.unitCost(unitCost)!
        var rows: [[String?]] = []
        for margin in targetMargins {
            let price = try ReportCalculations.priceForMargin(unitCost: unitCost, marginPercent: margin)
            let fraction = DecimalMath.text(margin / 100)
            rows.append([
                DecimalMath.text(margin), unitText, ReportNumber.unitCost(price),
                "price = unit_cost / (1 − \(fraction)) = \(unitText) / \(DecimalMath.text(1 - margin / 100))",
            ])
        }
        return ReportOutput(
            report: "pricing", period: period,
            sections: [.init(title: "Prices for target gross margins", columns: ["target_margin_pct", "unit_cost", "price", "formula"], rows: rows)],
            notes: [
                "unit_cost = Σ cost / (Σ units / \(scale)) = \(ReportNumber.amount(cost.total)) / (\(ReportNumber.amount(units)) / \(scale)) over \(period).",
                "price = unit_cost / (1 − margin): the price at which the margin is that share of the price. This is not markup (cost × (1 + markup)).",
            ],
            completeness: completeness,
            facts: [("cost_report", name), ("metric", title), ("currency", cost.currency), ("scale", "\(scale)"),
                ("total_cost", ReportNumber.amount(cost.total)), ("total_units", ReportNumber.amount(units)), ("unit_cost", unitText)])
    }

    // MARK: 5. Usage-based allocation of shared cost

    public func allocate(costReport name: String, metric title: String, period asked: ReportPeriod, daily: Bool = false) async throws
        -> ReportOutput
    {
        let inputs = try await allocationInputs(costReport: name, metric: title, period: asked)
        let period = inputs.period
        let result = CostAllocator().allocate(cost: inputs.cost.byDay, usage: inputs.usage)
        let totalUnits = result.customers.reduce(Decimal.zero) { $0 + $1.units }
        let ranked = result.customers.sorted { $0.cogs == $1.cogs ? $0.customerID < $1.customerID : $0.cogs > $1.cogs }
        var rows: [[String?]] = ranked.map { customer in
            [
                inputs.labels[customer.customerID] ?? customer.customerID, customer.customerID, ReportNumber.amount(customer.units),
                ReportNumber.percent(totalUnits.isZero ? nil : customer.units / totalUnits * 100),
                ReportNumber.amount(customer.direct), ReportNumber.amount(customer.shared), ReportNumber.amount(customer.cogs),
                ReportNumber.unitCost(ReportCalculations.costPerUnit(cost: customer.cogs, units: customer.units)),
            ]
        }
        for unmatched in inputs.cost.unmatched {
            rows.append([unmatched.label, nil, nil, nil, ReportNumber.amount(unmatched.amount), "0", ReportNumber.amount(unmatched.amount), nil])
        }
        rows.append([Self.unallocatedLabel, nil, nil, nil, "0", ReportNumber.amount(result.unallocated), ReportNumber.amount(result.unallocated), nil])
        rows.append([
            Self.totalLabel, nil, ReportNumber.amount(totalUnits), totalUnits.isZero ? nil : "100",
            ReportNumber.amount(inputs.cost.total - inputs.cost.shared), ReportNumber.amount(inputs.cost.shared),
            ReportNumber.amount(inputs.cost.total), ReportNumber.unitCost(ReportCalculations.costPerUnit(cost: inputs.cost.total, units: totalUnits)),
        ])
        var sections: [ReportOutput.Section] = [.init(
            title: "Shared cost allocated by usage share",
            columns: ["customer", "customer_id", "units", "usage_share_pct", "direct_cost", "allocated_shared_cost", "cogs", "cost_per_unit"],
            rows: rows)]
        if daily {
            var dayRows: [[String?]] = result.days.map { entry in
                [
                    entry.day.description, inputs.labels[entry.customerID] ?? entry.customerID, entry.customerID, ReportNumber.amount(entry.usage),
                    ReportNumber.percent(entry.usageShare.map { $0 * 100 }), ReportNumber.amount(entry.direct),
                    ReportNumber.amount(entry.shared), ReportNumber.amount(entry.direct + entry.shared),
                ]
            }
            for (day, amount) in result.unallocatedByDay.sorted(by: { $0.key < $1.key }) {
                dayRows.append([day.description, Self.unallocatedLabel, nil, "0", nil, "0", ReportNumber.amount(amount), ReportNumber.amount(amount)])
            }
            dayRows.sort { ($0[0] ?? "") < ($1[0] ?? "") }
            sections.append(.init(
                title: "Per day", columns: ["day", "customer", "customer_id", "units", "usage_share_pct", "direct_cost", "allocated_shared_cost", "cogs"],
                rows: dayRows))
        }
        return ReportOutput(
            report: "allocate", period: period, sections: sections,
            notes: try await emptyCostNotes(inputs.costReport, inputs.cost, period: period) + Self.allocationNotes(inputs, result),
            completeness: inputs.completeness,
            facts: [("cost_report", name), ("metric", title), ("currency", inputs.cost.currency),
                ("total_cost", ReportNumber.amount(inputs.cost.total)), ("unallocated", ReportNumber.amount(result.unallocated))])
    }

    // MARK: 6. Product usage portfolio

    public func portfolio(metrics titles: [String], period asked: ReportPeriod) async throws -> ReportOutput {
        guard !titles.isEmpty else { throw ReportRefusal(.metrics, "needs at least one metric title") }
        var metrics: [BusinessMetricInfo] = []
        var parts: [(name: String, through: UTCDay?)] = []
        for title in titles {
            let metric = try await data.metric(titled: title)
            try metric.requireSummable(for: "a daily total across customers")
            metrics.append(metric)
            parts.append(("\(metric.kind.rawValue) \"\(title)\"", try await data.completeThrough(metric)))
        }
        let period = asked.settled(completeThrough: ReportCompleteness(parts: parts).through)
        let previous = period.previous
        var summaries: [(title: String, total: Decimal, previous: Decimal, growth: ReportCalculations.Growth, daily: [UTCDay: Decimal])] = []
        for (title, metric) in zip(titles, metrics) {
            var daily: [UTCDay: Decimal] = [:]
            for (day, values) in try await data.values(of: metric, in: period) { daily[day] = values.values.reduce(0, +) }
            let before = try await data.values(of: metric, in: previous).values.reduce(Decimal.zero) { $0 + $1.values.reduce(0, +) }
            let total = daily.values.reduce(Decimal.zero, +)
            summaries.append((title, total, before, ReportCalculations.Growth(current: total, previous: before), daily))
        }
        var fastest: (title: String, growth: Decimal)?
        for summary in summaries {
            if case .percent(let growth) = summary.growth, fastest.map({ growth > $0.growth }) ?? true { fastest = (summary.title, growth) }
        }
        let newMetrics = summaries.filter { $0.growth == .new }.map(\.title)
        let days = Decimal(period.dayCount)
        let summaryRows: [[String?]] = summaries.map { summary in
            [
                summary.title, ReportNumber.amount(summary.total), ReportNumber.unitCost(summary.total / days),
                ReportNumber.amount(summary.previous), summary.growth.text,
                summary.title == fastest?.title ? "yes" : "no",
            ]
        }
        let dailyRows: [[String?]] = period.days.map { day in
            [day.description] + summaries.map { ReportNumber.amount($0.daily[day] ?? 0) }
        }
        var notes = [
            "growth_pct = (Σ \(period) − Σ \(previous.from) to \(previous.to)) / Σ previous × 100; \"new\" when the previous period is 0.",
        ]
        if let fastest {
            notes.append("Fastest-growing: \(fastest.title) (\(ReportNumber.percent(fastest.growth)!)%).")
        } else {
            notes.append("Fastest-growing: none (no metric had usage in the previous period).")
        }
        if !newMetrics.isEmpty { notes.append("New in this period (nothing before): \(newMetrics.joined(separator: ", ")).") }
        let chart = ChartData(
            title: "Daily usage, \(period)", style: .lines, categories: period.days.map(\.description),
            series: summaries.map { summary in .init(name: summary.title, values: period.days.map { summary.daily[$0] ?? 0 }) },
            yAxisLabel: "units per day")
        return ReportOutput(
            report: "portfolio", period: period,
            sections: [
                .init(title: "Growth against the previous \(period.dayCount) days", columns: ["metric", "total", "daily_average", "previous_total", "growth_pct", "fastest_growing"], rows: summaryRows),
                .init(title: "Daily usage", columns: ["day"] + titles, rows: dailyRows),
            ],
            notes: notes, completeness: ReportCompleteness(parts: parts),
            facts: [("fastest_growing", fastest?.title), ("previous_from", previous.from.description), ("previous_to", previous.to.description)],
            chart: chart)
    }

    // MARK: Shared steps

    struct AllocationInputs {
        /// The period asked for, settled on the inputs' completeness.
        var period: ReportPeriod
        var metric: BusinessMetricInfo
        var costReport: CostReport
        var cost: ReportCost
        var usage: [UTCDay: [String: Decimal]]
        var labels: [String: String]
        var completeness: ReportCompleteness
    }

    func allocationInputs(costReport name: String, metric title: String, period: ReportPeriod) async throws -> AllocationInputs {
        let metric = try await data.metric(titled: title)
        try metric.requireSummable(for: "units per customer and usage shares")
        let report = try await costReports.named(name)
        let completeness = ReportCompleteness(parts: [
            ("\(metric.kind.rawValue) \"\(title)\"", try await data.completeThrough(metric)),
            ("cost \"\(name)\"", try await data.costCompleteThrough(report)),
        ])
        let period = period.settled(completeThrough: completeness.through)
        let cost = try await data.cost(of: report, in: period, connectionID: metric.connectionID)
        return AllocationInputs(
            period: period, metric: metric, costReport: report, cost: cost, usage: try await data.values(of: metric, in: period),
            labels: try await data.labels(for: metric), completeness: completeness)
    }

    /// The customers a bar chart shows when it cannot show all (``chartLimit``): three quarters from the
    /// top of `best`, the rest from the top of `worst`, and a footnote saying so and how many are left out.
    static func chartCustomers(
        _ all: [String], best: [String], worst: [String], bestLabel: String, worstLabel: String
    ) -> (shown: [String], footnote: String?) {
        guard all.count > chartLimit else { return (all, nil) }
        let fromBest = chartLimit * 3 / 4
        var shown = Array(best.prefix(fromBest))
        var seen = Set(shown)
        var added: [String] = []
        for customer in worst where !seen.contains(customer) && added.count < chartLimit - fromBest {
            added.append(customer)
            seen.insert(customer)
        }
        shown += added.reversed()
        return (
            shown,
            "\(shown.count) of \(all.count) customers: the \(fromBest) with \(bestLabel) and the \(added.count) with \(worstLabel); "
                + "\(all.count - shown.count) more in the table"
        )
    }

    /// When a cost report has no cost in the period, the first notes say so, with what its conditions
    /// match and their near misses: a COGS of 0 must never pass for a measured one.
    func emptyCostNotes(_ report: CostReport, _ cost: ReportCost, period: ReportPeriod) async throws -> [String] {
        guard cost.currency == nil else { return [] }
        let warnings = try await costReports.match(report.filters).warnings
        return ["⚠ Cost report \"\(report.name)\" has no cost from \(period.from) to \(period.to): every cost here is 0 because nothing matched, not because nothing was spent."]
            + warnings
    }

    /// Rows for cost that belongs to no known customer: unmatched tags and the unallocated bucket.
    static func extraCostRows(_ cost: ReportCost, _ result: CostAllocator.Result, columns: Int, amountColumn: Int) -> [[String?]] {
        var rows: [[String?]] = []
        func row(_ label: String, _ amount: Decimal, direct: Bool) -> [String?] {
            var cells = [String?](repeating: nil, count: columns)
            cells[1] = label
            cells[amountColumn] = ReportNumber.amount(amount)
            cells[amountColumn + 1] = direct ? ReportNumber.amount(amount) : "0"
            cells[amountColumn + 2] = direct ? "0" : ReportNumber.amount(amount)
            return cells
        }
        for unmatched in cost.unmatched { rows.append(row(unmatched.label, unmatched.amount, direct: true)) }
        if !result.unallocated.isZero { rows.append(row(unallocatedLabel, result.unallocated, direct: false)) }
        return rows
    }

    static func allocationNotes(_ inputs: AllocationInputs, _ result: CostAllocator.Result) -> [String] {
        var notes = [
            "COGS = cost tagged with the customer + a share of the untagged (shared) cost; each day's shared cost is split by "
                + "that day's usage share of \"\(inputs.metric.title)\". Days with shared cost but no usage stay unallocated.",
        ]
        if !inputs.cost.unmatched.isEmpty {
            notes.append(
                "\(inputs.cost.unmatched.count) customer tag value(s) match no customer, or several: their cost is shown on its own row, not guessed.")
        }
        let allocated = result.total + inputs.cost.unmatched.reduce(Decimal.zero) { $0 + $1.amount }
        notes.append("Check: allocated + unallocated + unmatched = \(ReportNumber.amount(allocated)) = cost report total \(ReportNumber.amount(inputs.cost.total)).")
        return notes
    }
}
