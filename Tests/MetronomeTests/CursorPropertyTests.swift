import Foundation
import PropertyBased
import Testing

@testable import Metronome

/// Cursors are opaque text the server chooses: any of them goes out in the query unchanged, and the
/// walk's guard never traps and refuses exactly the cursors it has seen.
@Suite("Cursor properties", .timeLimit(.minutes(1)))
struct CursorPropertyTests {
    /// Characters a query must escape, and some no cursor should contain but a server could send.
    static let alphabet = Array("aZ09-_.~+/=&?#% \u{0}\n\"'é😀👩‍👩‍👧")

    static func text(_ indices: [Int]) -> String { String(indices.map { alphabet[$0 % alphabet.count] }) }

    @Test func anyCursorReachesTheServerUnchanged() async {
        let indices = Gen.int(in: 0...Self.alphabet.count - 1).array(of: 1...30)
        await propertyCheck(count: 3_000, input: indices) { indices in
            let cursor = Self.text(indices)
            let request = MetronomeRequest(method: .get, path: "/v1/customers", query: [(name: "limit", value: "100")])
                .withCursor(cursor)
            let components = URLComponents(string: "https://api.example.com" + request.target)
            let items = components?.queryItems ?? []
            #expect(items.first { $0.name == "next_page" }?.value == cursor, "\(request.target)")
            #expect(items.first { $0.name == "limit" }?.value == "100")
            #expect(items.count == 2, "nothing in the cursor starts another parameter: \(request.target)")
        }
    }

    /// Over any sequence of cursors (a small alphabet, so repeats are common), the guard refuses the
    /// first one it has seen before, including the saved cursor it started from, and never traps.
    @Test func theGuardRefusesExactlyARepeatedCursor() async {
        let sequence = Gen.int(in: 0...5).array(of: 0...12)
        await propertyCheck(count: 3_000, input: sequence, Gen.int(in: -1...5)) { cursors, start in
            let startCursor = start < 0 ? nil : "c\(start)"
            var pagingGuard = PagingGuard(maxPages: 1_000, startCursor: startCursor)
            var seen: Set<String> = startCursor.map { [$0] } ?? []
            for value in cursors {
                let cursor = "c\(value)"
                do {
                    try pagingGuard.willFetchPage()
                    let next = try pagingGuard.didReceive(nextCursor: cursor)
                    #expect(next == cursor)
                    #expect(!seen.contains(cursor), "a repeated cursor was followed")
                    seen.insert(cursor)
                } catch {
                    #expect(error as? PagingGuard.Violation == .repeatedCursor)
                    #expect(seen.contains(cursor), "a fresh cursor was refused")
                    return
                }
            }
        }
    }

    /// An empty or absent cursor ends the walk; more pages than the cap fail, whatever the cursors.
    @Test func theWalkEndsOnAnEmptyCursorAndAtTheCap() async {
        await propertyCheck(count: 1_000, input: Gen.int(in: 1...20), Gen.int(in: 0...40)) { cap, pages in
            var pagingGuard = PagingGuard(maxPages: cap, startCursor: "")
            var fetched = 0
            var capped = false
            for page in 0..<pages {
                do {
                    try pagingGuard.willFetchPage()
                    fetched += 1
                    let next = try pagingGuard.didReceive(nextCursor: "p\(page)")
                    #expect(next == "p\(page)")
                } catch {
                    #expect(error as? PagingGuard.Violation == .pageCapExceeded(maxPages: cap))
                    capped = true
                    break
                }
            }
            #expect(fetched == min(cap, pages))
            #expect(capped == (pages > cap))
            let empty: String?? = try? pagingGuard.didReceive(nextCursor: "")
            let absent: String?? = try? pagingGuard.didReceive(nextCursor: nil)
            #expect(empty == .some(nil) && absent == .some(nil), "an empty or absent cursor ends the walk")
        }
    }
}
