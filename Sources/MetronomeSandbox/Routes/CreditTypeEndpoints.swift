import Hummingbird

/// `GET /v1/credit-types/list`.
enum CreditTypeEndpoints {
    static func list(_ request: Request, _ state: SandboxState) throws(APIError) -> Response {
        let query = QueryReader(request)
        let limit = try query.limit(default: state.configuration.defaultPageSize)
        let signature = "GET /v1/credit-types/list|limit=\(limit)"
        let paging = try CursorPaging(query: query, signature: signature)
        let pageKey = "\(signature)|\(paging.cursorText)"
        if paging.mayInjectEmptyPage, state.faults.drawEmptyPage() {
            state.stats.recordFault("empty_page")
            return SandboxResponses.emptyPage(nextCursor: paging.emptyPageCursor, pageKey: pageKey)
        }
        let all = state.account.creditTypes
        let range = min(paging.position, all.count)..<min(paging.position + limit, all.count)
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("data")
        writer.beginArray()
        for creditType in all[range] { AccountJSON.creditType(creditType, includeIsCurrency: true, into: &writer) }
        writer.endArray()
        writer.field(
            "next_page",
            optional: paging.nextCursor(at: range.upperBound < all.count ? range.upperBound : nil, state: state)
        )
        writer.endObject()
        return SandboxResponses.json(writer, pageKey: pageKey)
    }
}
