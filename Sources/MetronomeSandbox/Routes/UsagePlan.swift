import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A validated `/v1/usage` query and the page layout it implies.
struct UsagePlan: Sendable {
    enum WindowSize: String, Sendable {
        case hour = "HOUR"
        case day = "DAY"
        case none = "NONE"
    }

    struct Selection: Sendable {
        let metric: SandboxMetric
        let groupBy: (key: String, values: [String])?
    }

    let windowSize: WindowSize
    let start: Timestamp
    let end: Timestamp
    let customers: [SandboxCustomer]
    let metrics: [Selection]
    let windowCount: Int
    let windowsPerPage: Int
    let pagesPerPair: Int
    let pageCount: Int
    /// The canonical query, for cursors and the served-pages ledger.
    let signature: String

    var firstDay: CivilDay { start.day }

    /// Default group values for the group keys the sandbox's metrics define.
    static let groupValues: [String: [String]] = ["region": ["EU", "NA"], "machine_type": ["slow", "fast"]]

    init(body: ByteBuffer, state: SandboxState) throws(APIError) {
        let decoded: UsageRequestBody
        do {
            decoded = try JSONDecoder().decode(UsageRequestBody.self, from: Data(body.readableBytesView))
        } catch {
            throw .badRequest("Request body must be a JSON object with window_size, starting_on and ending_before")
        }
        guard let sizeText = decoded.windowSize else { throw .badRequest("window_size is required") }
        guard let windowSize = WindowSize(rawValue: sizeText.uppercased()) else {
            throw .badRequest("window_size must be one of hour, day, none")
        }
        guard let startText = decoded.startingOn else { throw .badRequest("starting_on is required") }
        guard let endText = decoded.endingBefore else { throw .badRequest("ending_before is required") }
        guard var start = Timestamp.parse(startText) else {
            throw .badRequest("starting_on must be an RFC 3339 timestamp")
        }
        guard var end = Timestamp.parse(endText) else {
            throw .badRequest("ending_before must be an RFC 3339 timestamp")
        }
        if state.configuration.strictUsageBounds {
            guard start.isMidnightUTC, end.isMidnightUTC else {
                throw .badRequest("starting_on and ending_before must be at midnight UTC (00:00:00Z)")
            }
            guard end.seconds - start.seconds >= 86_400 else {
                throw .badRequest("ending_before must be at least one day after starting_on")
            }
        } else {
            // Lenient mode widens the bounds to the enclosing UTC midnights.
            start = Timestamp(day: start.day)
            end = end.isMidnightUTC ? end : Timestamp(day: end.day.adding(days: 1))
            guard end > start else { throw .badRequest("ending_before must be after starting_on") }
        }
        self.windowSize = windowSize
        self.start = start
        self.end = end

        let account = state.account
        var customerSignature = "*"
        if let ids = decoded.customerIDs {
            for id in ids where !UUIDText.isValid(id) { throw .badRequest("customer_ids must contain valid UUIDs") }
            let wanted = Set(ids.map { $0.lowercased() })
            customers = account.customers.filter { wanted.contains($0.id) }
            customerSignature = wanted.sorted().joined(separator: ",")
        } else {
            customers = account.customers
        }
        var metricSignature = "*"
        if let selections = decoded.billableMetrics {
            var chosen: [Int: Selection] = [:]
            var parts: [String] = []
            for selection in selections {
                guard let id = selection.id, UUIDText.isValid(id) else {
                    throw .badRequest("billable_metrics[].id must be a valid UUID")
                }
                guard let metric = account.metric(id: id.lowercased()) else { continue }
                var groupBy: (key: String, values: [String])?
                if let group = selection.groupBy {
                    guard let key = group.key else { throw .badRequest("billable_metrics[].group_by.key is required") }
                    guard metric.groupKeys.flatMap({ $0 }).contains(key) else {
                        throw .badRequest("group_by.key must be a group key of the billable metric")
                    }
                    let values = group.values ?? UsagePlan.groupValues[key] ?? []
                    guard (1...200).contains(values.count) else {
                        throw .badRequest("group_by.values must have between 1 and 200 entries")
                    }
                    groupBy = (key, values)
                }
                chosen[metric.index] = Selection(metric: metric, groupBy: groupBy)
                parts.append("\(metric.id):\(groupBy.map { "\($0.key)=\($0.values.joined(separator: ","))" } ?? "")")
            }
            metrics = chosen.keys.sorted().map { chosen[$0]! }
            metricSignature = parts.sorted().joined(separator: ";")
        } else {
            metrics = account.metrics.map { Selection(metric: $0, groupBy: nil) }
        }

        switch windowSize {
        case .day: windowCount = Int((end.seconds - start.seconds + 86_399) / 86_400)
        case .hour: windowCount = Int((end.seconds - start.seconds + 3_599) / 3_600)
        case .none: windowCount = 1
        }
        windowsPerPage = state.configuration.usageWindowsPerPage
        pagesPerPair = max(1, (windowCount + windowsPerPage - 1) / windowsPerPage)
        pageCount = customers.count * metrics.count * pagesPerPair
        signature = [
            "usage", windowSize.rawValue, "\(start.seconds)", "\(end.seconds)", customerSignature, metricSignature,
        ].joined(separator: "|")
    }

    /// The hour of a day that holds all of that day's usage in hourly windows, so hourly values
    /// sum (and max) to the daily value.
    static func activeHour(seed: UInt64, customer: Int, metric: Int, day: CivilDay) -> Int {
        Int(
            SeededGenerator.mix(seed, UInt64(customer), UInt64(metric), UInt64(bitPattern: Int64(day.daysSinceEpoch)))
                % 24)
    }

    /// The `window_size=none` value over the whole range.
    func aggregate(customer: SandboxCustomer, metric: SandboxMetric, account: SandboxAccount) -> String {
        var result: Decimal?
        var day = start.day
        while day < end.day {
            if let value = account.usageValue(customer: customer.index, metric: metric.index, day: day) {
                switch metric.aggregation {
                case .sum, .count: result = (result ?? 0) + value
                case .max: result = Swift.max(result ?? value, value)
                }
            }
            day = day.adding(days: 1)
        }
        return result.map { "\($0)" } ?? "null"
    }
}
