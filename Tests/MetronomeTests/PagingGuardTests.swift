import Testing

@testable import Metronome

@Suite("Paging guard", .timeLimit(.minutes(5)))
struct PagingGuardTests {
    @Test("stops on null or empty cursors, keeps going otherwise")
    func stopping() throws {
        var pagingGuard = PagingGuard(maxPages: 10, startCursor: nil)
        try pagingGuard.willFetchPage()
        #expect(try pagingGuard.didReceive(nextCursor: "a") == "a")
        try pagingGuard.willFetchPage()
        #expect(try pagingGuard.didReceive(nextCursor: "") == nil)
        #expect(try pagingGuard.didReceive(nextCursor: nil) == nil)
    }

    @Test("a cursor seen before is refused, including the one a walk resumed from")
    func repeated() throws {
        var pagingGuard = PagingGuard(maxPages: 10, startCursor: "saved")
        #expect(throws: PagingGuard.Violation.repeatedCursor) { try pagingGuard.didReceive(nextCursor: "saved") }
        var other = PagingGuard(maxPages: 10, startCursor: nil)
        _ = try other.didReceive(nextCursor: "a")
        _ = try other.didReceive(nextCursor: "b")
        #expect(throws: PagingGuard.Violation.repeatedCursor) { try other.didReceive(nextCursor: "a") }
    }

    @Test("the page cap is a hard limit")
    func cap() throws {
        var pagingGuard = PagingGuard(maxPages: 2, startCursor: nil)
        try pagingGuard.willFetchPage()
        try pagingGuard.willFetchPage()
        #expect(throws: PagingGuard.Violation.pageCapExceeded(maxPages: 2)) { try pagingGuard.willFetchPage() }
    }

    @Test("a page normalizes an empty next cursor to the last page")
    func pageNormalization() {
        #expect(Page<Int>(items: [], cursor: "x", nextCursor: "").isLast)
        #expect(!Page<Int>(items: [], cursor: nil, nextCursor: "y").isLast)
    }
}
