import Hummingbird

/// `GET /v1/customers` and `GET /v1/customers/{customer_id}`.
enum CustomerEndpoints {
    static func list(_ request: Request, _ state: SandboxState) throws(APIError) -> Response {
        let query = QueryReader(request)
        let limit = try query.limit(default: state.configuration.defaultPageSize)
        let onlyArchived = try query.bool("only_archived") ?? false
        let ids = try query.uuids("customer_ids", max: 100)
        let alias = query.string("ingest_alias")
        let salesforceIDs = query.list("salesforce_account_ids")
        if let salesforceIDs, salesforceIDs.count > 100 {
            throw .badRequest("salesforce_account_ids accepts at most 100 values")
        }
        let signature = [
            "customers", "limit=\(limit)", "only_archived=\(onlyArchived)", "ids=\(ids?.joined(separator: ",") ?? "*")",
            "alias=\(alias ?? "*")", "sf=\(salesforceIDs?.joined(separator: ",") ?? "*")",
        ].joined(separator: "|")
        let paging = try CursorPaging(query: query, signature: signature)
        let pageKey = "GET /v1/customers|\(signature)|\(paging.cursorText)"

        if paging.mayInjectEmptyPage, state.faults.drawEmptyPage() {
            state.stats.recordFault("empty_page")
            return SandboxResponses.emptyPage(nextCursor: paging.emptyPageCursor, pageKey: pageKey)
        }

        let idSet = ids.map(Set.init)
        let matching = state.account.customers.filter { customer in
            customer.isArchived == onlyArchived
                && (idSet?.contains(customer.id) ?? true)
                && (alias.map { customer.ingestAliases.contains($0) } ?? true)
                && (salesforceIDs.map { ids in customer.salesforceAccountID.map { ids.contains($0) } ?? false } ?? true)
        }
        let range = min(paging.position, matching.count)..<min(paging.position + limit, matching.count)
        var writer = JSONWriter(capacity: 600 * range.count + 64)
        writer.beginObject()
        writer.key("data")
        writer.beginArray()
        for customer in matching[range] { AccountJSON.customer(customer, into: &writer) }
        writer.endArray()
        writer.field(
            "next_page",
            optional: paging.nextCursor(at: range.upperBound < matching.count ? range.upperBound : nil, state: state)
        )
        writer.endObject()
        return SandboxResponses.json(writer, pageKey: pageKey)
    }

    static func get(_ customerID: String, _ state: SandboxState) throws(APIError) -> Response {
        let customer = try find(customerID, state)
        var writer = JSONWriter(capacity: 700)
        writer.beginObject()
        writer.key("data")
        AccountJSON.customer(customer, into: &writer)
        writer.endObject()
        return SandboxResponses.json(writer)
    }

    /// 400 for something that is not a UUID, 404 for an unknown one.
    static func find(_ customerID: String, _ state: SandboxState) throws(APIError) -> SandboxCustomer {
        guard UUIDText.isValid(customerID) else { throw .badRequest("customer_id must be a valid UUID") }
        guard let customer = state.account.customer(id: customerID.lowercased()) else {
            throw .notFound("Customer not found")
        }
        return customer
    }
}
