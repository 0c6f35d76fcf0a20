/// One entry of `billable_metrics` in a usage query: a metric, optionally grouped.
public struct UsageMetricSelection: Hashable, Sendable, Encodable {
    public var id: String
    public var groupBy: GroupBy?

    public struct GroupBy: Hashable, Sendable, Encodable {
        public var key: String
        /// 1–200 values; all values (up to 200) when nil.
        public var values: [String]?

        public init(key: String, values: [String]? = nil) {
            self.key = key
            self.values = values
        }
    }

    public init(id: String, groupBy: GroupBy? = nil) {
        self.id = id
        self.groupBy = groupBy
    }

    enum CodingKeys: String, CodingKey {
        case id
        case groupBy = "group_by"
    }
}
