/// The defensive rules of a cursor walk, kept apart from I/O so they are unit-tested alone:
/// stop on a null or empty cursor, fail on a cursor seen before, fail past a page cap.
///
/// An empty page is not an end: Metronome returns empty pages that still carry a cursor.
public struct PagingGuard: Sendable {
    public enum Violation: Error, Hashable, Sendable {
        /// The server handed back a cursor this walk already used: following it would loop.
        case repeatedCursor
        /// More than `maxPages` pages: a server minting fresh cursors forever would never end.
        case pageCapExceeded(maxPages: Int)
    }

    public let maxPages: Int
    public private(set) var pagesFetched = 0
    private var seenCursors: Set<String> = []

    /// - Parameter startCursor: the saved cursor a resumed walk starts from, if any.
    public init(maxPages: Int, startCursor: String?) {
        self.maxPages = maxPages
        if let startCursor, !startCursor.isEmpty { seenCursors.insert(startCursor) }
    }

    /// Call before fetching a page.
    public mutating func willFetchPage() throws(Violation) {
        guard pagesFetched < maxPages else { throw .pageCapExceeded(maxPages: maxPages) }
        pagesFetched += 1
    }

    /// Whether `cursor` was used by this walk already (following it would loop).
    public func hasSeen(_ cursor: String) -> Bool { seenCursors.contains(cursor) }

    /// Call with the cursor a page returned. Returns the cursor to fetch next, or nil at the end.
    public mutating func didReceive(nextCursor: String?) throws(Violation) -> String? {
        guard let nextCursor, !nextCursor.isEmpty else { return nil }
        guard seenCursors.insert(nextCursor).inserted else { throw .repeatedCursor }
        return nextCursor
    }
}
