/// The paging state of one list request: which position its cursor points at, validated against
/// the query it was issued for.
struct CursorPaging: Sendable {
    let queryHash: UInt64
    let position: Int
    let hop: Int
    /// The cursor as received (`""` for the first page): part of the served-page key.
    let cursorText: String

    /// Gives up after this many injected empty pages in a row, so a high empty-page rate still ends.
    static let maxEmptyHops = 5

    /// - Parameter signature: the canonical form of every parameter except the cursor.
    init(query: QueryReader, signature: String) throws(APIError) {
        self.queryHash = StableHash.fnv1a(signature)
        let text = query.string("next_page") ?? ""
        self.cursorText = text
        if text.isEmpty {
            position = 0
            hop = 0
        } else {
            guard let cursor = PageCursor.decode(text, expectedHash: queryHash) else {
                throw .badRequest("Invalid next_page: not a cursor issued for this query")
            }
            position = cursor.position
            hop = cursor.hop
        }
    }

    func cursor(at position: Int) -> String {
        PageCursor(queryHash: queryHash, position: position, hop: 0).encoded
    }

    /// The `next_page` for a page whose successor is at `position` (nil on the last page). With the
    /// repeat-cursor fault, a page requested with a cursor may hand that same cursor back.
    func nextCursor(at position: Int?, state: SandboxState) -> String? {
        guard let position else { return nil }
        if !cursorText.isEmpty, state.faults.drawRepeatCursor() {
            state.stats.recordFault("repeated_cursor")
            RouteFaults.current?.repeatedCursor = true
            return cursorText
        }
        return cursor(at: position)
    }

    /// A fresh cursor to the same position, for an injected empty page.
    var emptyPageCursor: String {
        PageCursor(queryHash: queryHash, position: position, hop: hop + 1).encoded
    }

    var mayInjectEmptyPage: Bool { hop < CursorPaging.maxEmptyHops }
}
