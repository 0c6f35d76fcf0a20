/// The endpoints MeterBridge reads. Each list takes `resumingFrom:` (a cursor saved from an
/// earlier walk of the same query) and returns a lazy ``PageSequence``; nothing is sent until the
/// sequence is iterated.
extension MetronomeClient {
    /// `GET /v1/customers`: active customers, or only archived ones with `onlyArchived`.
    public func customers(
        _ query: CustomerListQuery = CustomerListQuery(),
        resumingFrom cursor: String? = nil
    ) -> PageSequence<Customer> {
        pages(
            MetronomeRequest(method: .get, path: "/v1/customers", query: query.queryItems), limit: query.limit,
            from: cursor)
    }

    /// `GET /v1/customers/{customer_id}`.
    public func customer(id: String) async throws -> Customer {
        let request = MetronomeRequest(method: .get, path: "/v1/customers/\(QueryEncoding.escape(id))")
        return try await send(request, as: DataEnvelope<Customer>.self).data
    }

    /// `GET /v1/billable-metrics`: the account's metrics (archived ones only with `includeArchived`).
    public func billableMetrics(
        includeArchived: Bool = false,
        limit: Int? = nil,
        resumingFrom cursor: String? = nil
    ) -> PageSequence<BillableMetric> {
        var query: [(name: String, value: String)] = []
        if let limit { query.append(("limit", String(limit))) }
        if includeArchived { query.append(("include_archived", "true")) }
        return pages(
            MetronomeRequest(method: .get, path: "/v1/billable-metrics", query: query), limit: limit, from: cursor)
    }

    /// `GET /v1/customers/{customer_id}/billable-metrics`.
    public func billableMetrics(
        customerID: String,
        includeArchived: Bool = false,
        onCurrentPlan: Bool? = nil,
        limit: Int? = nil,
        resumingFrom cursor: String? = nil
    ) -> PageSequence<BillableMetric> {
        var query: [(name: String, value: String)] = []
        if let limit { query.append(("limit", String(limit))) }
        if includeArchived { query.append(("include_archived", "true")) }
        if let onCurrentPlan { query.append(("on_current_plan", onCurrentPlan ? "true" : "false")) }
        let path = "/v1/customers/\(QueryEncoding.escape(customerID))/billable-metrics"
        return pages(MetronomeRequest(method: .get, path: path, query: query), limit: limit, from: cursor)
    }

    /// `POST /v1/usage`: the query in the JSON body, the cursor in the query string, and never a
    /// `limit` (Metronome rejects the whole request if one is sent; the server sets the page size).
    public func usage(_ query: UsageQuery, resumingFrom cursor: String? = nil) -> PageSequence<UsageAggregate> {
        let body: [UInt8]
        do {
            body = Array(try MetronomeJSON.makeEncoder().encode(query))
        } catch {
            // Encoding strings, dates and arrays cannot fail; keep the failure visible if it ever does.
            return PageSequence(startCursor: cursor, maxPages: configuration.maxPages, endpoint: "POST /v1/usage") {
                _ in
                throw MetronomeError(
                    kind: .badRequest, endpoint: "POST /v1/usage", detail: "could not encode the query")
            }
        }
        return pages(MetronomeRequest(method: .post, path: "/v1/usage", jsonBody: body), limit: nil, from: cursor)
    }

    /// `GET /v1/customers/{customer_id}/invoices/breakdowns`: one item per (invoice, window), at
    /// most 35 daily windows per page, `sort` always explicit.
    public func invoiceBreakdowns(
        customerID: String,
        _ query: InvoiceBreakdownQuery,
        resumingFrom cursor: String? = nil
    ) -> PageSequence<InvoiceBreakdown> {
        let path = "/v1/customers/\(QueryEncoding.escape(customerID))/invoices/breakdowns"
        return pages(
            MetronomeRequest(method: .get, path: path, query: query.queryItems), limit: query.limit, from: cursor)
    }

    /// `GET /v1/credit-types/list`: pricing units (currencies and custom units).
    public func creditTypes(limit: Int? = nil, resumingFrom cursor: String? = nil) -> PageSequence<CreditType> {
        var query: [(name: String, value: String)] = []
        if let limit { query.append(("limit", String(limit))) }
        return pages(
            MetronomeRequest(method: .get, path: "/v1/credit-types/list", query: query), limit: limit, from: cursor)
    }

    private func pages<Item: Decodable & Sendable>(
        _ request: MetronomeRequest,
        limit: Int?,
        from cursor: String?
    ) -> PageSequence<Item> {
        let client = self
        return PageSequence(startCursor: cursor, maxPages: configuration.maxPages, endpoint: request.endpoint) {
            cursor in
            if let limit, !(1...100).contains(limit) {
                throw MetronomeError(
                    kind: .badRequest, endpoint: request.endpoint, detail: "limit must be between 1 and 100")
            }
            return try await client.send(request.withCursor(cursor), as: PageEnvelope<Item>.self)
        }
    }
}
