import Hummingbird

/// `GET /v1/billable-metrics` and `GET /v1/customers/{customer_id}/billable-metrics`.
enum BillableMetricEndpoints {
    static func list(_ request: Request, _ state: SandboxState) throws(APIError) -> Response {
        try page(request, state, customer: nil)
    }

    static func listForCustomer(_ customerID: String, _ request: Request, _ state: SandboxState) throws(APIError)
        -> Response
    {
        try page(request, state, customer: CustomerEndpoints.find(customerID, state))
    }

    private static func page(_ request: Request, _ state: SandboxState, customer: SandboxCustomer?) throws(APIError)
        -> Response
    {
        let query = QueryReader(request)
        let limit = try query.limit(default: state.configuration.defaultPageSize)
        let includeArchived = try query.bool("include_archived") ?? false
        let onCurrentPlan = try query.bool("on_current_plan")
        let endpoint = customer.map { "GET /v1/customers/\($0.id)/billable-metrics" } ?? "GET /v1/billable-metrics"
        let signature = [
            endpoint, "limit=\(limit)", "include_archived=\(includeArchived)",
            "on_current_plan=\(onCurrentPlan.map { "\($0)" } ?? "*")",
        ].joined(separator: "|")
        let paging = try CursorPaging(query: query, signature: signature)
        let pageKey = "\(signature)|\(paging.cursorText)"

        if paging.mayInjectEmptyPage, state.faults.drawEmptyPage() {
            state.stats.recordFault("empty_page")
            return SandboxResponses.emptyPage(nextCursor: paging.emptyPageCursor, pageKey: pageKey)
        }

        let matching = state.account.metrics.filter { metric in
            (includeArchived || !metric.isArchived) && (customer.map { $0.usesMetric[metric.index] } ?? true)
        }
        let range = min(paging.position, matching.count)..<min(paging.position + limit, matching.count)
        var writer = JSONWriter(capacity: 600 * range.count + 64)
        writer.beginObject()
        writer.key("data")
        writer.beginArray()
        for metric in matching[range] {
            AccountJSON.metric(metric, deprecatedFields: customer != nil, into: &writer)
        }
        writer.endArray()
        writer.field(
            "next_page",
            optional: paging.nextCursor(at: range.upperBound < matching.count ? range.upperBound : nil, state: state)
        )
        writer.endObject()
        return SandboxResponses.json(writer, pageKey: pageKey)
    }
}
