import Foundation
import PropertyBased
import Testing

@testable import Importer

/// The checkpoints a job saves between pages: any JSON a row may hold decodes or is refused, never a
/// trap, and every checkpoint reads back as it was written.
@Suite("Checkpoint properties", .timeLimit(.minutes(1)))
struct CursorCheckpointPropertyTests {
    static let alphabet = Array("{}[]\":,0123456789-.eE ntrufalse\\u00\u{0}é😀nextPageseencustomerIndexaccumulators")

    @Test func anyJSONTextIsACheckpointOrAnError() async {
        let indices = Gen.int(in: 0...Self.alphabet.count - 1).array(of: 0...60)
        await propertyCheck(count: 5_000, input: indices) { indices in
            let data = Data(String(indices.map { Self.alphabet[$0] }).utf8)
            _ = try? JSONDecoder().decode(UsageCursor.self, from: data)
            _ = try? JSONDecoder().decode(RevenueCursor.self, from: data)
        }
    }

    @Test func checkpointsRoundTrip() async throws {
        let cursorText = Gen.int(in: 0...Self.alphabet.count - 1).array(of: 0...30)
        await propertyCheck(count: 2_000, input: cursorText, Gen.int(in: 0...40), Gen.int(in: 0...100_000)) { text, seenCount, index in
            let nextPage = text.isEmpty ? nil : String(text.map { Self.alphabet[$0] })
            let usage = UsageCursor(nextPage: nextPage, seen: (0..<seenCount).map { "customer-\($0)-\(nextPage ?? "")" })
            let usageBack = try JSONDecoder().decode(UsageCursor.self, from: JSONEncoder().encode(usage))
            #expect(usageBack.nextPage == usage.nextPage && usageBack.seen == usage.seen)
            let revenue = RevenueCursor(customerIndex: index, nextPage: nextPage, accumulators: nil)
            let revenueBack = try JSONDecoder().decode(RevenueCursor.self, from: JSONEncoder().encode(revenue))
            #expect(revenueBack.customerIndex == index && revenueBack.nextPage == nextPage && revenueBack.accumulators == nil)
        }
    }
}
