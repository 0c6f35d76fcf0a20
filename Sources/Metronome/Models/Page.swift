/// One page of a cursor-paged list.
public struct Page<Item: Sendable>: Sendable {
    /// The items, possibly none: Metronome can return an empty page that still carries a cursor.
    public let items: [Item]
    /// The cursor this page was requested with (nil for the first page). Saving it lets a crashed
    /// walk re-read this page; saving ``nextCursor`` resumes after it.
    public let cursor: String?
    /// The cursor for the following page; nil on the last page (`null`, missing or `""` on the wire).
    public let nextCursor: String?

    public init(items: [Item], cursor: String?, nextCursor: String?) {
        self.items = items
        self.cursor = cursor
        self.nextCursor = (nextCursor?.isEmpty ?? true) ? nil : nextCursor
    }

    public var isLast: Bool { nextCursor == nil }
}
