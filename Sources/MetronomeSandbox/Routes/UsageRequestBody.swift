/// The JSON body of `POST /v1/usage`, read loosely so that validation can answer with a message
/// rather than a decoding failure.
struct UsageRequestBody: Decodable {
    let windowSize: String?
    let startingOn: String?
    let endingBefore: String?
    let customerIDs: [String]?
    let billableMetrics: [MetricSelection]?

    struct MetricSelection: Decodable {
        let id: String?
        let groupBy: GroupBy?

        enum CodingKeys: String, CodingKey {
            case id
            case groupBy = "group_by"
        }
    }

    struct GroupBy: Decodable {
        let key: String?
        let values: [String]?
    }

    enum CodingKeys: String, CodingKey {
        case windowSize = "window_size"
        case startingOn = "starting_on"
        case endingBefore = "ending_before"
        case customerIDs = "customer_ids"
        case billableMetrics = "billable_metrics"
    }
}
