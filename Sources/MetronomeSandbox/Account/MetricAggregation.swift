/// How a sandbox metric aggregates: it decides the shape of its values and of `window_size=none`.
public enum MetricAggregation: String, Hashable, Sendable {
    case sum = "SUM"
    case count = "COUNT"
    case max = "MAX"
}
