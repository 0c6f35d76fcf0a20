import Foundation
import PropertyBased
import Testing

@testable import MetronomeSandbox

/// The sandbox's own cursors: any text a client sends is a cursor of this query or nil, never a trap;
/// every cursor it issues reads back to its position, and only for the query it was issued for.
@Suite("Sandbox cursor properties", .timeLimit(.minutes(1)))
struct PageCursorPropertyTests {
    static let alphabet = Array("abcXYZ0189-_+/=.%\u{0} é😀")

    @Test func anyTextIsACursorOrNil() async {
        let indices = Gen.int(in: 0...Self.alphabet.count - 1).array(of: 0...40)
        await propertyCheck(count: 5_000, input: indices, Gen.uint64()) { indices, hash in
            let text = String(indices.map { Self.alphabet[$0] })
            if let cursor = PageCursor.decode(text, expectedHash: hash) {
                #expect(cursor.queryHash == hash && cursor.position >= 0 && cursor.hop >= 0)
            }
        }
    }

    @Test func issuedCursorsRoundTripForTheirQueryOnly() async {
        await propertyCheck(count: 5_000, input: Gen.uint64(), Gen.int(in: 0...Int.max), Gen.int(in: 0...1_000)) { hash, position, hop in
            let cursor = PageCursor(queryHash: hash, position: position, hop: hop)
            let text = cursor.encoded
            #expect(PageCursor.decode(text, expectedHash: hash) == cursor)
            #expect(PageCursor.decode(text, expectedHash: hash &+ 1) == nil, "a cursor replayed with other parameters")
            #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "URL-safe: \(text)")
            // Cut anywhere, it is refused or still names a position of this query.
            for cut in [1, text.count / 2, text.count - 1] where cut > 0 {
                if let partial = PageCursor.decode(String(text.prefix(cut)), expectedHash: hash) {
                    #expect(partial.queryHash == hash)
                }
            }
        }
    }
}
