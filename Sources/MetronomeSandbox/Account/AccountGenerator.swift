#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Builds the deterministic synthetic account: realistic (``AccountProfile/realistic``), or nasty
/// enough to break a careless importer (``AccountProfile/adversarial``).
///
/// Every customer's traits follow from its index (so even a small account has each case). Names and
/// usage depend on the profile (see ``RealisticUsage`` and ``RealisticNames``); the rest is common.
/// Metrics and customers are drawn in order from a generator seeded with `seed`; usage and
/// invoices are not drawn at all but derived, when asked for, from a stable hash of the seed and
/// their indices and day, so they cost nothing until served and need not be stored:
/// - adversarial names: duplicates ("Acme Corp", "Initech"), non-ASCII, quotes and backslashes, one empty name,
///   and from index 20 hostile ones (SQL, a NUL byte, RTL, combining marks, markup, 10,000 characters);
/// - ingest aliases: none (index % 4 == 0), one, or three (index % 4 == 2);
/// - archived customers (index % 6 == 5);
/// - EUR customers in whole euros (index % 5 == 4), the rest in USD cents with fractional cents;
/// - prepaid-commit customers (index % 4 == 1): a negative applied-commit line cancels each day's
///   usage, so the daily invoice total is 0 while gross usage is not;
/// - scheduled monthly fees on a second invoice on the 1st (index % 3 == 0): several invoices a day;
/// - a VOID copy of the first month's usage invoice (index % 5 == 2), which is not revenue;
/// - an extra invoice in a custom pricing unit (index % 7 == 6);
/// - usage: SUM (fractional), COUNT (integral) and MAX metrics, days without events (`null`),
///   metrics a customer never uses; adversarial: negative and zero sums, one customer with very
///   large values.
public enum AccountGenerator {
    public static func generate(_ parameters: AccountParameters) -> SandboxAccount {
        precondition(parameters.customerCount >= 0 && parameters.billableMetricCount >= 0 && parameters.dayCount >= 1)
        var random = SeededGenerator(seed: parameters.seed)
        let metrics = (0..<parameters.billableMetricCount).map {
            makeMetric(index: $0, parameters: parameters, random: &random)
        }
        let customers = (0..<parameters.customerCount).map {
            makeCustomer(index: $0, metricCount: metrics.count, parameters: parameters, random: &random)
        }
        let usage = UsageTable(
            seed: parameters.seed,
            customerCount: customers.count,
            firstDay: parameters.firstDay,
            dayCount: parameters.dayCount,
            aggregations: metrics.map(\.aggregation),
            typicalAmounts: metrics.map(\.typicalDailyAmount),
            profile: parameters.profile
        )
        return SandboxAccount(
            parameters: parameters,
            creditTypes: SandboxCreditType.all,
            metrics: metrics,
            customers: customers,
            usage: usage
        )
    }

    // MARK: Catalog

    static let customerNames = [
        "Acme Corp", "Globex", "Acme Corp", "Société Générale d'Électricité", "Initech", "株式会社サンプル",
        "Müller & Söhne GmbH", "", "Umbrella \"Health\" Ltd", "Ørsted Øst ApS", "Café ☕ Roasters 🚀",
        "Back\\slash Labs", "Wayne Enterprises", "Initech", "Tyrell Corp", "Ελληνικά Δίκτυα", "Zürich Versicherung",
        "São Paulo Logística", "Hooli", "Stark Industries",
        // Hostile: SQL, a NUL byte, right-to-left text and an override, combining marks, markup, 10,000 characters.
        "Robert'); DROP TABLE metric_values; --", "Nul\u{0}Byte Industries", "شركة الاختبار المحدودة", "\u{202E}Evil Override Inc",
        "Z\u{0324}\u{0354}a\u{0308}\u{0356}l\u{036E}g\u{0328}o\u{033B} Combining", "<script>alert('x')</script> & Co",
        String(repeating: "Long Name ", count: 1_000),
    ]

    struct MetricTemplate {
        var name: String
        var aggregation: MetricAggregation
        var key: String?
        /// Prices per unit: adversarial cents and euros, then realistic ones.
        var usdCents: String
        var euros: String
        var realisticUSDCents: String
        var realisticEuros: String
        /// A small customer's weekday amount.
        var typical: Double
    }

    static let metricTemplates: [MetricTemplate] = [
        MetricTemplate(
            name: "CPU hours", aggregation: .sum, key: "cpu_hours", usdCents: "0.35", euros: "0.004",
            realisticUSDCents: "4.8", realisticEuros: "0.045", typical: 160),
        MetricTemplate(
            name: "Data transfer (GB)", aggregation: .sum, key: "bytes", usdCents: "12", euros: "0.11",
            realisticUSDCents: "9", realisticEuros: "0.08", typical: 45),
        MetricTemplate(
            name: "API requests", aggregation: .count, key: nil, usdCents: "0.0125", euros: "0.0001",
            realisticUSDCents: "0.002", realisticEuros: "0.00002", typical: 240_000),
        MetricTemplate(
            name: "Peak concurrent seats", aggregation: .max, key: "seats", usdCents: "150", euros: "1.5",
            realisticUSDCents: "30", realisticEuros: "0.28", typical: 25),
        MetricTemplate(
            name: "Storage GB-days", aggregation: .sum, key: "gb_days", usdCents: "4.5", euros: "0.05",
            realisticUSDCents: "0.077", realisticEuros: "0.0007", typical: 2_400),
        MetricTemplate(
            name: "Build minutes", aggregation: .count, key: nil, usdCents: "0.8", euros: "0.008",
            realisticUSDCents: "0.8", realisticEuros: "0.007", typical: 650),
        MetricTemplate(
            name: "Tokens processed", aggregation: .sum, key: "tokens", usdCents: "0.002", euros: "0.00002",
            realisticUSDCents: "0.0002", realisticEuros: "0.000002", typical: 4_000_000),
        MetricTemplate(
            name: "Active users", aggregation: .max, key: "users", usdCents: "99", euros: "0.9",
            realisticUSDCents: "25", realisticEuros: "0.23", typical: 80),
    ]

    static func makeMetric(index: Int, parameters: AccountParameters, random: inout SeededGenerator) -> SandboxMetric {
        let template = metricTemplates[index % metricTemplates.count]
        let round = index / metricTemplates.count
        let name = round == 0 ? template.name : "\(template.name) #\(round + 1)"
        let wire: String =
            switch index % 4 {
            case 2: template.aggregation.rawValue.lowercased()
            case 3: template.aggregation.rawValue.prefix(1) + template.aggregation.rawValue.dropFirst().lowercased()
            default: template.aggregation.rawValue
            }
        let archived = parameters.billableMetricCount >= 4 && index == parameters.billableMetricCount - 1
        let realistic = parameters.profile == .realistic
        return SandboxMetric(
            index: index,
            id: random.uuid(),
            name: name,
            aggregation: template.aggregation,
            wireAggregationType: wire,
            aggregationKey: template.key,
            groupKeys: index % 3 == 1 ? [["region"], ["machine_type"]] : [],
            archivedAt: archived ? Timestamp(seconds: parameters.lastDay.adding(days: -3).unixSeconds + 5400) : nil,
            usdCentsPrice: Decimal(string: realistic ? template.realisticUSDCents : template.usdCents)!,
            euroPrice: Decimal(string: realistic ? template.realisticEuros : template.euros)!,
            typicalDailyAmount: template.typical
        )
    }

    static func makeCustomer(
        index: Int,
        metricCount: Int,
        parameters: AccountParameters,
        random: inout SeededGenerator
    ) -> SandboxCustomer {
        let id = random.uuid()
        let name =
            switch parameters.profile {
            case .realistic: RealisticNames.name(index)
            case .adversarial: index < customerNames.count ? customerNames[index] : "Customer \(index + 1)"
            }
        let email = "billing+\(index)@customer\(index).example"
        let aliases: [String] =
            switch index % 4 {
            case 0: []
            case 2: ["acct_\(id.prefix(8))", email, "legacy-\(index)"]
            default: [email]
            }
        let createdDay = parameters.firstDay.adding(days: -(30 + index))
        let createdAt = Timestamp(
            seconds: createdDay.unixSeconds + Int64(random.int(in: 0...86_399)),
            nanoseconds: random.int(in: 0...999) * 1_000_000
        )
        let archivedAt: Timestamp? =
            isArchived(index)
            ? Timestamp(seconds: parameters.lastDay.adding(days: -archivedDaysAgo(index)).unixSeconds + 43_200) : nil
        let usesMetric = (0..<metricCount).map { UsageTable.uses(seed: parameters.seed, customer: index, metric: $0) }
        return SandboxCustomer(
            index: index,
            id: id,
            name: name,
            ingestAliases: aliases,
            createdAt: createdAt,
            createdAtStyle: [.millisecondsZulu, .zulu, .zeroOffset][index % 3],
            archivedAt: archivedAt,
            currency: index % 5 == 4 ? .euro : .usdCents,
            hasPrepaidCommit: index % 4 == 1,
            hasScheduledFees: index % 3 == 0,
            hasVoidInvoices: index % 5 == 2,
            hasCloudUnitInvoices: index % 7 == 6,
            salesforceAccountID: index % 2 == 0 ? "0015500001WO\(CivilDay.pad(index, 4))" : nil,
            customFields: index % 2 == 0 ? ["x_account_id": "acct-\(id.suffix(6))"] : [:],
            usesMetric: usesMetric,
            contractID: random.uuid()
        )
    }

    /// Whether the customer at `index` is archived, and how many days before the last day of history.
    static func isArchived(_ index: Int) -> Bool { index % 6 == 5 }
    static func archivedDaysAgo(_ index: Int) -> Int { index % 20 }

    // MARK: Invoices

    /// Keeps invoice ids apart from every other hash of the same indices.
    static let invoiceDomain: UInt64 = 0x696E_766F_6963_6501

    /// The id of one of a customer's objects of a month: `slot` tells the usage invoice (0), its
    /// prepaid commit (1), its VOID copy (2), the scheduled-fee invoice (3) and the cloud-unit
    /// invoice (4) apart.
    static func uuid(seed: UInt64, customer: Int, month: CivilDay, slot: UInt64) -> String {
        var random = SeededGenerator(
            seed: SeededGenerator.mix(
                seed, invoiceDomain, UInt64(customer), UInt64(bitPattern: Int64(month.daysSinceEpoch)), slot))
        return random.uuid()
    }

    /// One customer's invoices, month by month: computed on each request that needs them, so they
    /// depend on nothing but the parameters, the customer and the metrics.
    static func makeInvoices(
        customer: SandboxCustomer,
        metrics: [SandboxMetric],
        usage: UsageTable,
        parameters: AccountParameters
    ) -> [SandboxInvoice] {
        var invoices: [SandboxInvoice] = []
        let firstDay = parameters.firstDay
        let lastDay = parameters.lastDay
        var monthStart = firstDay.firstOfMonth
        var isFirstMonth = true
        while monthStart <= lastDay {
            let monthEnd = monthStart.firstOfNextMonth
            let status = monthEnd <= lastDay ? "FINALIZED" : "DRAFT"
            let firstWindowDay = max(monthStart, firstDay)
            let windowDayCount = min(monthEnd, lastDay.adding(days: 1)).daysSinceEpoch - firstWindowDay.daysSinceEpoch
            func id(_ slot: UInt64) -> String {
                uuid(seed: parameters.seed, customer: customer.index, month: monthStart, slot: slot)
            }
            func lines(_ kind: InvoiceLines.Kind) -> InvoiceLines {
                InvoiceLines(kind: kind, customer: customer, metrics: metrics, usage: usage)
            }

            // The usage invoice, in the customer's currency.
            let usageLines = lines(.usage(prepaidCommitID: customer.hasPrepaidCommit ? id(1) : nil))
            invoices.append(
                SandboxInvoice(
                    id: id(0),
                    customerID: customer.id,
                    type: "USAGE",
                    status: status,
                    creditType: customer.currency,
                    periodStart: monthStart,
                    periodEnd: monthEnd,
                    issuedAt: Timestamp(day: monthEnd),
                    contractID: customer.contractID,
                    includesSubtotal: customer.index % 2 == 0,
                    firstWindowDay: firstWindowDay,
                    windowDayCount: windowDayCount,
                    lines: usageLines
                )
            )

            if customer.hasVoidInvoices && isFirstMonth {
                invoices.append(
                    SandboxInvoice(
                        id: id(2),
                        customerID: customer.id,
                        type: "USAGE",
                        status: "VOID",
                        creditType: customer.currency,
                        periodStart: monthStart,
                        periodEnd: monthEnd,
                        issuedAt: Timestamp(day: monthEnd),
                        contractID: customer.contractID,
                        includesSubtotal: true,
                        firstWindowDay: firstWindowDay,
                        windowDayCount: windowDayCount,
                        lines: usageLines
                    )
                )
            }

            if customer.hasScheduledFees, monthStart >= firstDay {
                invoices.append(
                    SandboxInvoice(
                        id: id(3),
                        customerID: customer.id,
                        type: "SCHEDULED",
                        status: monthStart <= lastDay ? "FINALIZED" : "DRAFT",
                        creditType: customer.currency,
                        periodStart: monthStart,
                        periodEnd: monthStart.adding(days: 1),
                        issuedAt: Timestamp(day: monthStart),
                        contractID: customer.contractID,
                        includesSubtotal: false,
                        firstWindowDay: monthStart,
                        windowDayCount: 1,
                        lines: lines(.scheduledFee(customer.currency == .euro ? euroFee : usdCentsFee))
                    )
                )
            }

            if customer.hasCloudUnitInvoices, !metrics.isEmpty {
                invoices.append(
                    SandboxInvoice(
                        id: id(4),
                        customerID: customer.id,
                        type: "USAGE",
                        status: status,
                        creditType: .cloudUnits,
                        periodStart: monthStart,
                        periodEnd: monthEnd,
                        issuedAt: Timestamp(seconds: monthEnd.unixSeconds + 60),
                        contractID: customer.contractID,
                        includesSubtotal: true,
                        firstWindowDay: firstWindowDay,
                        windowDayCount: windowDayCount,
                        lines: lines(.cloudUnits)
                    )
                )
            }

            monthStart = monthEnd
            isFirstMonth = false
        }
        return invoices
    }

    static let usdCentsFee = Decimal(string: "49999.5")!
    static let euroFee = Decimal(450)
}
