import Foundation
import PropertyBased
import Testing

@testable import Metronome

/// The two readers of numbers from the wire: amounts given as text, and the guard that refuses a page
/// holding a number a `Decimal` would round. Any input gives an answer, never a trap.
@Suite("Number text properties", .timeLimit(.minutes(1)))
struct NumberTextPropertyTests {
    static let alphabet = Array("0123456789-+.eE ,x\"\\{}[]:\u{0}é")

    @Test func anyTextIsADecimalOrNil() async {
        let indices = Gen.int(in: 0...Self.alphabet.count - 1).array(of: 0...30)
        await propertyCheck(count: 5_000, input: indices) { indices in
            let text = String(indices.map { Self.alphabet[$0] })
            if let value = DecimalText.parse(text) {
                #expect(DecimalText.isNumeric(text), "\(text)")
                #expect(!value.isNaN)
            }
            var bytes = Array(text.utf8)
            _ = bytes.withUnsafeMutableBytes { JSONNumberGuard.firstOverlongNumber(in: UnsafeRawBufferPointer($0)) }
        }
    }

    /// A number written with `digits` significant digits (zeros around them do not count) is refused
    /// exactly when it has more than 38, wherever it stands in a document; inside a string it is text.
    @Test func theGuardCountsSignificantDigits() async {
        await propertyCheck(
            count: 3_000, input: Gen.int(in: 1...60), Gen.int(in: 0...5), Gen.int(in: 0...5), Gen.int(in: 0...3)
        ) { digits, leadingZeros, trailingZeros, form in
            let significant = "1" + String(repeating: "7", count: max(digits - 2, 0)) + (digits >= 2 ? "3" : "")
            let number: String
            switch form {
            case 0: number = significant + String(repeating: "0", count: trailingZeros)
            case 1: number = "-0." + String(repeating: "0", count: leadingZeros) + significant + String(repeating: "0", count: trailingZeros)
            case 2: number = String(significant.prefix(1)) + "." + String(significant.dropFirst()) + String(repeating: "0", count: trailingZeros) + "e-7"
            default: number = "-" + significant + "E+" + String(trailingZeros)
            }
            let document = #"{"data":[{"name":"x","value":\#(number)}],"quoted":"\#(number)\#(number)"}"#
            var bytes = Array(document.utf8)
            let found = bytes.withUnsafeMutableBytes { JSONNumberGuard.firstOverlongNumber(in: UnsafeRawBufferPointer($0)) }
            #expect((found != nil) == (digits > JSONNumberGuard.maximumDigits), "\(number): \(String(describing: found))")
            #expect(found.map { $0.digits == digits } ?? true, "\(number)")
            let quotedOnly = #"{"quoted":"\#(number)"}"#
            var quotedBytes = Array(quotedOnly.utf8)
            #expect(quotedBytes.withUnsafeMutableBytes { JSONNumberGuard.firstOverlongNumber(in: UnsafeRawBufferPointer($0)) } == nil)
        }
    }
}
