import Foundation
import PropertyBased
import Testing

@testable import Metronome

/// The parsers that read what a server sends: any text in gives an answer, never a trap, and what we
/// format reads back to the same value.
@Suite("Parser properties", .timeLimit(.minutes(5)))
struct ParserPropertyTests {
    /// Characters that matter to timestamps, plus some that never should appear.
    static let timestampAlphabet = Array("0123456789-:T tZz.+,GMTSunMonNovDec\u{0}é😀")

    static func text(_ indices: [Int], _ alphabet: [Character]) -> String { String(indices.map { alphabet[$0 % alphabet.count] }) }

    @Test func anyTextIsAnRFC3339InstantOrNil() async {
        let indices = Gen.int(in: 0...Self.timestampAlphabet.count - 1).array(of: 0...40)
        await propertyCheck(count: 5_000, input: indices) { indices in
            let text = Self.text(indices, Self.timestampAlphabet)
            if let date = RFC3339.parse(text) { #expect(date.timeIntervalSince1970.isFinite) }
            if let date = HTTPDate.parse(text) { #expect(date.timeIntervalSince1970.isFinite) }
        }
    }

    /// Any whole second from year 1 to 9999, formatted (as query parameters are, to the second), parses
    /// back to itself; and a fraction of up to 9 digits parses to the right instant.
    @Test func rfc3339RoundTrips() async {
        await propertyCheck(count: 5_000, input: Gen.int(in: -62_135_596_800...253_402_300_799), Gen.int(in: 0...999_999)) {
            seconds, micros in
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(RFC3339.parse(RFC3339.format(date)) == date, "\(RFC3339.format(date))")
            let text = RFC3339.format(date).dropLast() + "." + String(format: "%06d", micros) + "Z"
            let parsed = RFC3339.parse(text)
            // A Date is a Double: far from 1970 it resolves tens of microseconds, no finer.
            let tolerance = max(0.000_001, abs(Double(seconds)) * 1e-15)
            #expect(parsed.map { abs($0.timeIntervalSince(date) - Double(micros) / 1_000_000) <= tolerance } == true, "\(text)")
        }
    }

    /// Mutating a valid timestamp one character at a time never traps.
    @Test func nearMissesNeverTrap() async {
        let valid = Array("2026-11-30T12:34:56.123456789+05:30")
        await propertyCheck(
            count: 5_000, input: Gen.int(in: 0...valid.count - 1), Gen.int(in: 0...Self.timestampAlphabet.count - 1)
        ) { position, replacement in
            var text = valid
            text[position] = Self.timestampAlphabet[replacement]
            _ = RFC3339.parse(String(text))
            _ = RFC3339.parse(String(text.prefix(position)))
        }
    }
}
