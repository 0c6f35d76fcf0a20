/// The body of `POST /v1/usage`.
///
/// Built only from a ``DayWindow``, so bounds are midnight-aligned and at least one day apart by
/// construction. There is deliberately no page size: `/v1/usage` rejects `limit` with a 400.
public struct UsageQuery: Hashable, Sendable, Encodable {
    public var window: DayWindow
    public var windowSize: UsageWindowSize
    /// Omitted means all customers: on a large account that is every customer × every metric.
    public var customerIDs: [String]?
    /// Omitted means all metrics.
    public var billableMetrics: [UsageMetricSelection]?

    public init(
        window: DayWindow,
        windowSize: UsageWindowSize = .day,
        customerIDs: [String]? = nil,
        billableMetrics: [UsageMetricSelection]? = nil
    ) {
        self.window = window
        self.windowSize = windowSize
        self.customerIDs = customerIDs
        self.billableMetrics = billableMetrics
    }

    enum CodingKeys: String, CodingKey {
        case windowSize = "window_size"
        case startingOn = "starting_on"
        case endingBefore = "ending_before"
        case customerIDs = "customer_ids"
        case billableMetrics = "billable_metrics"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(windowSize, forKey: .windowSize)
        try container.encode(RFC3339.format(window.startingOn), forKey: .startingOn)
        try container.encode(RFC3339.format(window.endingBefore), forKey: .endingBefore)
        try container.encodeIfPresent(customerIDs, forKey: .customerIDs)
        try container.encodeIfPresent(billableMetrics, forKey: .billableMetrics)
    }
}
