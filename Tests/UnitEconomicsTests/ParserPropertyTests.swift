import Foundation
import PropertyBased
import Testing
@testable import UnitEconomics

/// The FOCUS parsers on hostile cells: any text in, an answer out, never a trap; and exact amounts
/// read back what they print.
@Suite("FOCUS parser properties", .timeLimit(.minutes(5)))
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

    /// Fields quoted the RFC 4180 way come back as they were, whatever they hold and wherever the buffer
    /// splits them.
    @Test func csvRecordsRoundTrip() async throws {
        let alphabet = Array("ab,\"\n\r é")
        let field = Gen.int(in: 0...alphabet.count - 1).array(of: 0...12)
        await propertyCheck(count: 300, input: field.array(of: 1...5).array(of: 1...4), Gen.int(in: 16...64)) { rows, bufferSize in
            let records = rows.map { $0.map { String($0.map { alphabet[$0] }) } }
            let text = records.map { fields in
                fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
            }.joined(separator: "\n") + "\n"
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID()).csv").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                let parsed = try CSVReaderTests.records(path, bufferSize: bufferSize).map(\.fields)
                #expect(parsed == records, "\(text.debugDescription)")
            } catch {
                Issue.record("\(error) for \(text.debugDescription)")
            }
        }
    }

    /// Any bytes in: records, or an error with a line, never a trap.
    @Test func anyBytesAreRecordsOrAnError() async {
        let alphabet: [UInt8] = Array("ab,\"\n\r ".utf8) + [0, 0xC3, 0xA9, 0xFF]
        await propertyCheck(count: 1_000, input: Gen.int(in: 0...alphabet.count - 1).array(of: 0...200), Gen.int(in: 16...40)) {
            indices, bufferSize in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID()).csv").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(indices.map { alphabet[$0] }))
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                _ = try CSVReaderTests.records(path, bufferSize: bufferSize)
            } catch let error as FocusImportError {
                #expect(error.line >= 1)
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
