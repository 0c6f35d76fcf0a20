public import Importer
public import Metronome

/// What the analyses need to know about a business metric (read through the importer's read model).
public struct BusinessMetricInfo: Sendable, Equatable {
    public typealias Kind = BusinessMetric.Kind

    public var id: Int64
    public var title: String
    public var kind: Kind
    public var connectionID: Int64
    public var labelSource: LabelSource
    public var since: UTCDay
    /// For usage: the billable metric's aggregation (COUNT, SUM, MAX, UNIQUE, LATEST).
    public var aggregationType: AggregationType?
    /// For revenue: the credit type's name ("USD (cents)", "EUR", …) and whether it is a currency.
    public var creditTypeName: String?
    public var creditTypeIsCurrency: Bool

    public init(
        id: Int64, title: String, kind: Kind, connectionID: Int64, labelSource: LabelSource, since: UTCDay,
        aggregationType: AggregationType?, creditTypeName: String?, creditTypeIsCurrency: Bool
    ) {
        self.id = id
        self.title = title
        self.kind = kind
        self.connectionID = connectionID
        self.labelSource = labelSource
        self.since = since
        self.aggregationType = aggregationType
        self.creditTypeName = creditTypeName
        self.creditTypeIsCurrency = creditTypeIsCurrency
    }

    /// A usage metric whose billable metric aggregates to a level per day (``AggregationType/isGauge``).
    public var isGauge: Bool { kind == .usage && aggregationType?.isGauge == true }

    /// Refuses to sum this metric's values across days or customers when it is a gauge.
    public func requireSummable(for purpose: String) throws(ReportRefusal) {
        guard isGauge else { return }
        throw ReportRefusal(
            "metric \"\(title)\" aggregates by \(aggregationType?.rawValue ?? "?"): its daily values are levels, not amounts, and "
                + "cannot be summed across days or customers, so \(purpose) would be wrong. "
                + "Use a COUNT or SUM metric.")
    }

    /// The ISO currency of a revenue metric: "USD (cents)" is stored in dollars, so it is USD.
    public var revenueCurrency: String? {
        guard kind == .revenue, creditTypeIsCurrency, let name = creditTypeName else { return nil }
        return Self.currency(ofCreditType: name)
    }

    public static func currency(ofCreditType name: String) -> String {
        let trimmed = name.trimmingSpaces()
        if trimmed.uppercased() == "USD (CENTS)" { return "USD" }
        return trimmed.uppercased()
    }
}
