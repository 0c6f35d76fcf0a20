import Hummingbird

/// `GET /__sandbox/truth`, `/__sandbox/stats` and `/__sandbox/info`: never authenticated,
/// rate limited or faulted.
enum AdminEndpoints {
    /// Streams the rows as a chunked body while they are computed: a large account's truth is
    /// gigabytes, and computing it takes no more memory than one customer's slice of it.
    static func truth(_ request: Request, _ state: SandboxState) throws(APIError) -> Response {
        let query = QueryReader(request)
        let filter = try truthFilter(query)
        let format: TruthRendering.Format
        let contentType: String
        switch query.string("format") ?? "json" {
        case "json": (format, contentType) = (.json, "application/json")
        case "csv": (format, contentType) = (.csv, "text/csv; charset=utf-8")
        default: throw .badRequest("format must be json or csv")
        }
        let account = state.account
        return SandboxResponses.streamed(contentType: contentType) { writer in
            try await TruthRendering.stream(TruthRows(account: account, filter: filter), format) { chunk in
                try await writer.write(chunk)
            }
        }
    }

    static func truthFilter(_ query: QueryReader) throws(APIError) -> TruthFilter {
        var filter = TruthFilter()
        if let kind = query.string("kind") {
            guard let value = TruthKind(rawValue: kind) else { throw .badRequest("kind must be usage or revenue") }
            filter.kind = value
        }
        if let basis = query.string("basis") {
            guard let value = RevenueBasis(rawValue: basis) else {
                throw .badRequest("basis must be invoice_total or gross_usage")
            }
            filter.basis = value
        }
        filter.customerID = query.string("customer_id")
        filter.billableMetricID = query.string("billable_metric_id")
        filter.creditTypeID = query.string("credit_type_id")
        if let from = query.string("from") {
            guard let day = CivilDay(from) else { throw .badRequest("from must be YYYY-MM-DD") }
            filter.fromDay = day
        }
        if let to = query.string("to") {
            guard let day = CivilDay(to) else { throw .badRequest("to must be YYYY-MM-DD") }
            filter.toDay = day
        }
        return filter
    }

    /// The counters of every request, and under `tokens` those of each token's requests.
    static func stats(_ state: SandboxState, tokens: [String]) -> Response {
        var writer = JSONWriter(capacity: 1024)
        state.stats.snapshot.writeJSON(into: &writer, perToken: tokens.map { ($0, state.stats.snapshot(token: $0)) })
        return SandboxResponses.json(writer)
    }

    static func info(_ state: SandboxState) -> Response {
        let account = state.account
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.key("seed")
        writer.raw(String(account.parameters.seed))
        writer.field("profile", account.parameters.profile.rawValue)
        writer.key("customers")
        writer.raw(String(account.customers.count))
        writer.key("billable_metrics")
        writer.raw(String(account.metrics.count))
        writer.key("days")
        writer.raw(String(account.parameters.dayCount))
        writer.field("first_day", "\(account.firstDay)")
        writer.field("last_day", "\(account.lastDay)")
        writer.key("rate_limit")
        writer.raw("\(state.configuration.rateLimit)")
        writer.key("usage_windows_per_page")
        writer.raw(String(state.configuration.usageWindowsPerPage))
        writer.endObject()
        return SandboxResponses.json(writer)
    }
}
