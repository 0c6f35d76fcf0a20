import Foundation
import PropertyBased
import Testing
import UnitEconomics

/// The FOCUS parsers on hostile cells: any text in, an answer out, never a trap; and exact amounts
/// read back what they print.
@Suite("FOCUS parser properties")
struct FocusParserPropertyTests {
    static let numberAlphabet = Array("0123456789.-+eE,  x\u{0}é")
    static let timestampAlphabet = Array("0123456789-:T tZz.+")

    static func text(_ indices: [Int], _ alphabet: [Character]) -> String { String(indices.map { alphabet[$0 % alphabet.count] }) }

    @Test func anyCellIsANumberOrNil() async {
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...Self.numberAlphabet.count - 1).array(of: 0...60)) { indices in
            let text = Self.text(indices, Self.numberAlphabet)
            if let amount = ExactAmount(text) {
                #expect(ExactAmount(amount.description) == amount, "\(text) → \(amount)")
            }
        }
    }

    @Test func exactAmountsRoundTripThroughText() async {
        await propertyCheck(
            count: 5_000, input: Gen.int(in: Int.min + 1...Int.max), Gen.int(in: 0...18), Gen.int(in: 0...1)
        ) { value, scale, negative in
            let amount = ExactAmount(magnitude: UInt128(value.magnitude), negative: negative == 1, scale: scale)
            #expect(ExactAmount(amount.description) == amount, "\(amount)")
        }
    }

    @Test func anyCellIsATimestampOrNil() async {
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...Self.timestampAlphabet.count - 1).array(of: 0...35)) { indices in
            let text = Self.text(indices, Self.timestampAlphabet)
            if let micros = FocusTimestamp.parse(text) {
                #expect(micros > -62_135_596_800_000_000 && micros < 253_402_300_800_000_000, "\(text)")
            }
        }
    }
}
