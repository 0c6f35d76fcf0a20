import Foundation
import PropertyBased
import Testing

@testable import Metronome

/// The usage-page reader gives exactly what `JSONDecoder` gives, or nothing (and the decoder then reads
/// the page): on generated pages of every spelling, on corrupted ones, and on hostile cases.
@Suite("Usage page reader", .timeLimit(.minutes(5)))
struct UsagePageReaderTests {
    typealias Page = PageEnvelope<UsageAggregate>

    static func read(_ text: String) -> Page? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { UsagePageReader.read(UnsafeRawBufferPointer($0)) }
    }

    static func decode(_ text: String) -> Page? {
        try? MetronomeJSON.makeDecoder().decode(Page.self, from: Data(text.utf8))
    }

    /// The reader's answer, if any, equals the decoder's, down to each value's text.
    static func agree(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Page? {
        guard let read = read(text) else { return nil }
        guard let decoded = decode(text) else {
            Issue.record("the reader took a page the decoder refuses: \(text)", sourceLocation: sourceLocation)
            return read
        }
        #expect(read.nextPage == decoded.nextPage, sourceLocation: sourceLocation)
        #expect(read.data == decoded.data, "\(text)", sourceLocation: sourceLocation)
        #expect(read.data.map { $0.value.map { "\($0)" } } == decoded.data.map { $0.value.map { "\($0)" } }, sourceLocation: sourceLocation)
        return read
    }

    @Test func generatedPagesReadAsTheDecoderReadsThem() async {
        await propertyCheck(count: 3_000, input: Gen.int(in: 0...Int.max)) { seed in
            var generator = PageGenerator(seed: UInt64(truncatingIfNeeded: seed))
            let (text, plain) = generator.page()
            let read = Self.agree(text)
            // Pages in the shapes the reader takes are read by it, not left to the decoder.
            if plain { #expect(read != nil, "the reader left a plain page to the decoder: \(text)") }
        }
    }

    @Test func corruptedPagesAreReadAsTheDecoderReadsThemOrLeftToIt() async {
        await propertyCheck(count: 3_000, input: Gen.int(in: 0...Int.max), Gen.int(in: 0...1_000_000), Gen.int(in: 0...255)) {
            seed, position, byte in
            var generator = PageGenerator(seed: UInt64(truncatingIfNeeded: seed))
            var bytes = Array(generator.page().text.utf8)
            let at = position % bytes.count
            switch byte % 3 {
            case 0: bytes[at] = UInt8(byte)
            case 1: bytes.removeSubrange(at...)
            default: bytes.remove(at: at)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if bytes.elementsEqual(text.utf8) {
                _ = Self.agree(text)
            } else {
                // Invalid UTF-8 never reaches a String here; the reader refuses it on its own.
                #expect(bytes.withUnsafeMutableBytes { UsagePageReader.read(UnsafeRawBufferPointer($0)) } == nil)
            }
        }
    }

    @Test func theUsualPageIsReadExactly() throws {
        let text = #"""
            {"data":[{"customer_id":"c-1","billable_metric_id":"m-1","billable_metric_name":"CPU hours",
            "start_timestamp":"2026-01-01T00:00:00Z","end_timestamp":"2026-01-02T00:00:00+00:00","value":12.3450},
            {"customer_id":"c-1","billable_metric_id":"m-1","billable_metric_name":null,"start_timestamp":"2026-01-02T00:00:00.000Z",
            "end_timestamp":"2026-01-03T00:00:00Z","value":null,"groups":null}],"next_page":"abc"}
            """#
        let page = try #require(Self.agree(text))
        #expect(page.nextPage == "abc")
        #expect(page.data.count == 2)
        #expect(page.data[0].value == Decimal(string: "12.345"))
        #expect(page.data[0].day == UTCDay("2026-01-01"))
        #expect(page.data[1].value == nil && page.data[1].billableMetricName == nil)
    }

    /// What the reader leaves to the decoder: it answers nil, and the decoder gives the value or the error.
    @Test func unusualPagesAreLeftToTheDecoder() {
        let item = #""customer_id":"c","billable_metric_id":"m","start_timestamp":"2026-01-01T00:00:00Z","end_timestamp":"2026-01-02T00:00:00Z""#
        for text in [
            #"{"data":[{\#(item),"value":"12.5"}]}"#,  // a value as text
            #"{"data":[{\#(item),"value":1,"groups":{"a":1}}]}"#,  // groups
            #"{"data":[{\#(item),"value":1,"value":2}]}"#,  // a duplicate key
            #"{"data":[{\#(item),"value":01}]}"#,  // not JSON
            #"{"data":[{\#(item),"value":1e400}]}"#,  // beyond a Decimal
            #"{"data":[{\#(item),"x":"\ud800"}]}"#,  // a lone surrogate
            #"{"data":[{\#(item),"value":1}],"next_page":7}"#,  // a cursor that is not text
            #"{"next_page":null}"#,  // no data
            #"{"data":[{\#(item),"value":1}]} x"#,  // trailing bytes
            #"{"data":[{\#(item),"value":1}]"#,  // truncated
            #"{"data":[{"customer_id":"c","billable_metric_id":"m","start_timestamp":"yesterday","end_timestamp":"2026-01-02T00:00:00Z"}]}"#,
        ] {
            #expect(Self.read(text) == nil, "\(text)")
        }
        // A number of more than 38 digits, read or skipped, is left to the client's guard, which refuses
        // it when its significant digits are too many.
        let long = "1." + String(repeating: "3", count: 38)
        #expect(Self.read(#"{"data":[{\#(item),"value":\#(long)}]}"#) == nil)
        #expect(Self.read(#"{"data":[{\#(item),"value":1,"x":[\#(long)]}]}"#) == nil)
        #expect(Self.agree(#"{"data":[{\#(item),"value":\#(long.dropLast())}]}"#) != nil)
        // Deep nesting in an unknown field: refused past 64 levels.
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(Self.read(#"{"data":[],"x":\#(deep)}"#) == nil)
        let shallow = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        #expect(Self.agree(#"{"data":[],"x":\#(shallow)}"#) != nil)
    }

    @Test func escapesAndUnicodeReadAsTheDecoderReadsThem() throws {
        let page = try #require(
            Self.agree(
                #"{"d\u0061ta":[{"customer_id":"c\"\\\/\b\f\n\r\t\u0000\u00e9\ud83d\ude00é😀","billable_metric_id":"m","#
                    + #""start_timestamp":"2026-01-01t00:00:00z","end_timestamp":"2026-01-01T19:00:00-05:00","value":-0.000123e+3}]}"#))
        #expect(page.data[0].customerID == "c\"\\/\u{8}\u{c}\n\r\t\u{0}é😀é😀")
    }
}

/// The reader's fast paths against their plain definitions.
@Suite("Usage page reader: fast paths", .timeLimit(.minutes(5)))
struct UsagePageReaderFastPathTests {
    /// The word test finds a quote, a backslash or a control character exactly when one is there.
    @Test func theWordTestFindsTheBytesTheByteLoopStopsAt() async {
        let interesting: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF]
        await propertyCheck(count: 20_000, input: Gen.int(in: 0...255).array(of: 8...8), Gen.int(in: 0...interesting.count - 1).array(of: 8...8), Gen.int(in: 0...255)) {
            random, picks, mask in
            // Each byte is random or one of the interesting ones, as the mask says.
            let bytes = (0..<8).map { mask & (1 << $0) != 0 ? interesting[picks[$0]] : UInt8(random[$0]) }
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let expected = bytes.contains { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }
            #expect(UsagePageReader.holdsQuoteBackslashOrControl(word) == expected, "\(bytes)")
        }
    }

    /// A number token made from its digits is `Decimal(string:)`'s value, with the same text.
    @Test func numbersMadeFromTheirDigitsAreTheParsedNumbers() async {
        let alphabet = Array("0123456789-.e+")
        await propertyCheck(count: 20_000, input: Gen.int(in: 0...alphabet.count - 1).array(of: 1...24), Gen.int(in: 0...1)) {
            indices, plain in
            // Half the tokens are well-formed plain numbers, the other half anything.
            let text: String
            if plain == 1 {
                let digits = indices.map { String($0 % 10) }.joined()
                let point = indices[0] % (digits.count + 1)
                let integer = String(digits.prefix(point)).drop { $0 == "0" }
                let fraction = digits.dropFirst(point)
                text = (indices.count % 3 == 0 ? "-" : "") + (integer.isEmpty ? "0" : String(integer)) + (fraction.isEmpty ? "" : "." + fraction)
            } else {
                text = String(indices.map { alphabet[$0] })
            }
            // The reader hands it only tokens of JSON's number grammar.
            guard text.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil else { return }
            let made = Array(text.utf8).withUnsafeBytes { UsagePageReader.plainDecimal($0) }
            guard let made else { return }
            let parsed = Decimal(string: text, locale: nil)
            #expect(made == parsed, "\(text)")
            #expect(made.description == parsed?.description, "\(text)")
            #expect(!made.isNaN, "\(text)")
        }
    }

    @Test(arguments: ["0", "-0", "-0.000", "0.5", "-12.340", "999999999999999999", "0.00000000000000001", "-1"])
    func plainNumbers(_ text: String) throws {
        let made = try #require(Array(text.utf8).withUnsafeBytes { UsagePageReader.plainDecimal($0) })
        #expect(made == Decimal(string: text, locale: nil))
        #expect(made.description == Decimal(string: text, locale: nil)?.description)
    }

    @Test(arguments: ["1e3", "1E3", "-2.5e-3", "1234567890123456789", "0.1234567890123456789"])
    func otherNumbersAreParsedAsText(_ text: String) {
        #expect(Array(text.utf8).withUnsafeBytes { UsagePageReader.plainDecimal($0) } == nil)
    }
}

/// Random usage pages: every key order and spelling a server may use, unknown keys with any JSON value.
struct PageGenerator {
    var state: UInt64
    static let known: Set = [
        "data", "next_page", "customer_id", "billable_metric_id", "billable_metric_name", "start_timestamp", "end_timestamp", "value",
        "groups",
    ]

    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...options.count - 1)] }

    var space: String { mutating get { chance(80) ? "" : pick([" ", "\n", "\t ", "\r\n  "]) } }

    /// A page, and whether it is plain (the reader must take it).
    mutating func page() -> (text: String, plain: Bool) {
        var plain = true
        var members: [String] = []
        var items: [String] = []
        for _ in 0..<int(0...6) {
            let (item, itemPlain) = self.item()
            items.append(item)
            plain = plain && itemPlain
        }
        members.append("\"data\"\(space):\(space)[\(space)" + items.joined(separator: "\(space),\(space)") + "\(space)]")
        switch int(0...2) {
        case 0: members.append(#""next_page":null"#)
        case 1: members.append(#""next_page":"\#(text())""#)
        default: break
        }
        if chance(20) {
            let key = text()
            plain = plain && !Self.known.contains(key)
            members.append("\"\(key)\":\(anyValue(depth: 0))")
        }
        members.shuffle(using: &self)
        return ("\(space){\(space)" + members.joined(separator: "\(space),\(space)") + "\(space)}\(space)", plain)
    }

    mutating func item() -> (String, Bool) {
        var plain = true
        var members = [
            #""customer_id":"\#(pick(["c-1", "c-2", text()]))""#,
            #""billable_metric_id":"\#(pick(["m-1", text()]))""#,
            #""start_timestamp":"\#(timestamp())""#,
            #""end_timestamp":"\#(timestamp())""#,
        ]
        switch int(0...3) {
        case 0: members.append(#""billable_metric_name":"\#(text())""#)
        case 1: members.append(#""billable_metric_name":null"#)
        default: break
        }
        switch int(0...9) {
        case 0: break
        case 1: members.append(#""value":null"#)
        case 2:
            members.append(#""value":"\#(number())""#)
            plain = false
        default: members.append(#""value":\#(number())"#)
        }
        if chance(10) { members.append(#""groups":null"#) }
        if chance(30) {
            let key = text()
            plain = plain && !Self.known.contains(key)
            members.append("\"\(key)\":\(anyValue(depth: 0))")
        }
        members.shuffle(using: &self)
        return ("{\(space)" + members.joined(separator: "\(space),\(space)") + "\(space)}", plain)
    }

    mutating func timestamp() -> String {
        let day = pick(["2026-01-01", "2025-12-31", "2024-02-29"])
        let separator = pick(["T", "t", " "])
        let fraction = pick(["", ".0", ".000", ".123456789"])
        let zone = pick(["Z", "z", "+00:00", "-05:00", "+13:45"])
        return "\(day)\(separator)\(pick(["00:00:00", "23:59:59"]))\(fraction)\(zone)"
    }

    mutating func number() -> String {
        let sign = chance(20) ? "-" : ""
        let whole = pick(["0", "1", "7", "12345", "99999999999999999999", String(int(0...1_000_000))])
        let fraction = chance(50) ? "." + pick(["0", "5", "50", "000123", "1234567890123"]) : ""
        let exponent = chance(15) ? pick(["e", "E"]) + pick(["", "+", "-"]) + String(int(0...20)) : ""
        return sign + whole + fraction + exponent
    }

    /// Strings with escapes, non-ASCII text and every character JSON must escape.
    mutating func text() -> String {
        var out = ""
        for _ in 0..<int(0...8) {
            out += pick([
                "a", "Z", "9", "-", " ", "é", "😀", "日本", #"\""#, #"\\"#, #"\/"#, #"\n"#, #"\t"#, #"\u0000"#, #"\u00e9"#, #"\ud83d\ude00"#,
                "customer_id", "value",
            ])
        }
        return out
    }

    mutating func anyValue(depth: Int) -> String {
        switch depth > 3 ? int(0...3) : int(0...5) {
        case 0: return #""\#(text())""#
        case 1: return number()
        case 2: return pick(["true", "false", "null"])
        case 3: return "[]"
        case 4: return "[" + (0..<int(1...3)).map { _ in anyValue(depth: depth + 1) }.joined(separator: ",\(space)") + "]"
        default: return "{" + (0..<int(0...3)).map { _ in "\"\(text())\":\(space)\(anyValue(depth: depth + 1))" }.joined(separator: ",") + "}"
        }
    }
}

extension PageGenerator: RandomNumberGenerator {}
