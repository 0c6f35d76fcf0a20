import Foundation

/// How import jobs name what they import: selecting a metric's or a connection's jobs means matching
/// these keys of their args (`metric_ids` holds every metric a shared revenue job imports).
public enum ImportJobSelection {
    /// The JSON a job's args must contain to import `metricID` for `connectionID` (either may be nil);
    /// nil when neither is given.
    public static func argsContainJSON(metricID: Int64?, connectionID: Int64?) -> String? {
        var parts: [String] = []
        if let connectionID { parts.append("\"connection_id\":\(connectionID)") }
        if let metricID { parts.append("\"metric_ids\":[\(metricID)]") }
        return parts.isEmpty ? nil : "{" + parts.joined(separator: ",") + "}"
    }
}
