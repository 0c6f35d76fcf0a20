/// The pages of one list request, fetched lazily in order, as an `AsyncSequence`.
///
/// Each page is requested with the previous page's cursor as `next_page` in the query and every
/// other parameter unchanged, and the walk ends only on a null or empty cursor. A sequence made
/// with a saved cursor starts there, so a crashed import resumes at the page after its checkpoint.
/// A page answering with a cursor already used is asked for again (twice at most); a cursor that keeps
/// repeating, or a walk past the page cap, fails with a ``MetronomeError`` of kind `.pagination`
/// instead of yielding the suspect page.
public struct PageSequence<Item: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = Page<Item>

    let startCursor: String?
    let maxPages: Int
    let endpoint: String
    let fetch: @Sendable (_ cursor: String?) async throws -> PageEnvelope<Item>

    init(
        startCursor: String?,
        maxPages: Int,
        endpoint: String,
        fetch: @escaping @Sendable (_ cursor: String?) async throws -> PageEnvelope<Item>
    ) {
        self.startCursor = (startCursor?.isEmpty ?? true) ? nil : startCursor
        self.maxPages = maxPages
        self.endpoint = endpoint
        self.fetch = fetch
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(sequence: self)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: PageSequence
        var pagingGuard: PagingGuard
        var cursor: String?
        var finished = false

        init(sequence: PageSequence) {
            self.sequence = sequence
            self.pagingGuard = PagingGuard(maxPages: sequence.maxPages, startCursor: sequence.startCursor)
            self.cursor = sequence.startCursor
        }

        /// A page that hands back a cursor already used is asked for again this many times before the walk
        /// fails: a server looping for a moment (a deploy, a stale cache) usually answers right the next time.
        static var repeatedCursorRetries: Int { 2 }

        public mutating func next() async throws -> Page<Item>? {
            guard !finished else { return nil }
            do {
                var repeats = 0
                while true {
                    try pagingGuard.willFetchPage()
                    let envelope = try await sequence.fetch(cursor)
                    let requestedWith = cursor
                    if let next = envelope.nextPage, pagingGuard.hasSeen(next), repeats < Self.repeatedCursorRetries {
                        // The suspect page is dropped, never yielded; the same request goes out again.
                        repeats += 1
                        continue
                    }
                    cursor = try pagingGuard.didReceive(nextCursor: envelope.nextPage)
                    if cursor == nil { finished = true }
                    return Page(items: envelope.data, cursor: requestedWith, nextCursor: cursor)
                }
            } catch let violation as PagingGuard.Violation {
                finished = true
                let detail =
                    switch violation {
                    case .repeatedCursor: "the server repeated a cursor; stopping instead of looping"
                    case .pageCapExceeded(let maxPages): "more than \(maxPages) pages; stopping"
                    }
                throw MetronomeError(kind: .pagination, endpoint: sequence.endpoint, detail: detail)
            } catch {
                finished = true
                throw error
            }
        }
    }

    /// Every item of every page, in order. For small lists (catalog, tests); imports should
    /// process and checkpoint page by page.
    public func allItems() async throws -> [Item] {
        var items: [Item] = []
        for try await page in self {
            items.append(contentsOf: page.items)
        }
        return items
    }
}
