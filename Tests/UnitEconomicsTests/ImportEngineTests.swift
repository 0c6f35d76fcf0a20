import Metronome
import Foundation
import Postgres
import Testing
import TestSupport
@testable import UnitEconomics

/// A deterministic pseudo-random sequence, so that a failure reproduces.
private struct XorShift {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func next(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    /// A random number of `digits` decimal digits (no leading zero).
    mutating func magnitude(digits: Int) -> UInt128 {
        var value: UInt128 = UInt128(next(1...9))
        for _ in 1..<max(digits, 1) { value = value * 10 + UInt128(next(0...9)) }
        return value
    }
}

@Suite("Exact amounts", .timeLimit(.minutes(5)))
struct ExactAmountTests {
    @Test(arguments: [
        ("0.0104", "0.0104"), ("62.00", "62.00"), ("-17.31", "-17.31"), ("+7", "7"), (".5", "0.5"), ("5.", "5"),
        ("1.5E-3", "0.0015"), ("1.5e3", "1500"), ("-0", "0"), ("0.000", "0.000"),
        ("99999999999999999999999999.99", "99999999999999999999999999.99"),
        ("0.00000000000000000000000000000000000001", "0.00000000000000000000000000000000000001"),
    ])
    func parsesWhatFOCUSWrites(text: String, expected: String) throws {
        #expect(try #require(ExactAmount(text)).description == expected)
    }

    @Test(arguments: [
        "", "-", ".", "1,000.00", "NaN", "Infinity", "1.2.3", "abc", "1e", "--1", "1 ", "0x10", "1E+99999",
        // 39 significant digits; 29 digits before the point.
        "123456789012345678901234567890123456789", "12345678901234567890123456789",
    ])
    func refusesAnythingElse(text: String) {
        #expect(ExactAmount(text) == nil)
    }

    @Test func convertsToAndFromDecimal() throws {
        for text in ["0.0104", "-17.31", "3.3333333343", "100"] {
            let amount = try #require(ExactAmount(text))
            #expect(amount.decimal == DecimalMath.parse(text))
            #expect(ExactAmount(amount.decimal)?.decimal == amount.decimal)
        }
    }
}

@Suite("Integer proration", .timeLimit(.minutes(5)))
struct IntegerProrationTests {
    /// The integer shares equal shares computed with `Decimal`, rounded half away from zero, the remainder
    /// on the last day, for thousands of random amounts and periods.
    @Test func matchesDecimalArithmetic() throws {
        var random = XorShift(state: 0x5EED_CAFE_F00D_0001)
        for _ in 0..<2_000 {
            let digits = random.next(1...15)
            let scale = random.next(0...12)
            let magnitude = random.magnitude(digits: digits)
            let negative = random.next(0...9) == 0
            let amount = ExactAmount(magnitude: magnitude, negative: negative, scale: scale)
            let start = FocusTimestamp.parse("2025-01-01T00:00:00Z")! + Int64(random.next(0...(40 * 86_400))) * 1_000_000
                + Int64(random.next(0...999_999))
            let end = start + Int64(random.next(1...(35 * 86_400))) * 1_000_000 + Int64(random.next(0...999_999))
            let shareScale = max(Proration.minimumScale, scale)

            let shares = Proration.prorate(amount.decimal, startMicros: start, endMicros: end, scale: shareScale)
            let expected = Proration.overlapsForTesting(startMicros: start, endMicros: end)
            #expect(shares.map(\.day) == expected.map(\.day))
            let duration = Decimal(end - start)
            var allocated = Decimal.zero
            for (index, part) in expected.enumerated() {
                let want: Decimal
                if index == expected.count - 1 {
                    want = expected.count == 1 ? amount.decimal : amount.decimal - allocated
                } else {
                    want = DecimalMath.rounded(amount.decimal * Decimal(part.micros) / duration, scale: shareScale)
                    allocated += want
                }
                #expect(shares[index].amount == want, "\(amount) over \(start)..<\(end), day \(index)")
            }
            #expect(shares.reduce(Decimal.zero) { $0 + $1.amount } == amount.decimal)
        }
    }

    @Test func sharesKeepTheAmountsOwnScaleAndDropOnlyExtraZeros() {
        let start = FocusTimestamp.parse("2025-05-01T00:00:00Z")!
        let end = FocusTimestamp.parse("2025-06-01T00:00:00Z")!
        var shares = Proration.Shares(ExactAmount("62.00")!, duration: end - start)
        #expect(shares.next(micros: 86_400_000_000, isLast: false).description == "2.00")
        var thirds = Proration.Shares(ExactAmount("100")!, duration: 3 * 86_400_000_000)
        #expect(thirds.next(micros: 86_400_000_000, isLast: false).description == "33.3333333333")
    }

    @Test func hugeAmountsUseFullWidthArithmetic() throws {
        // 28 integer digits and 10 decimals: the products need more than 128 bits.
        let text = "9999999999999999999999999999.9999999999"
        let amount = try #require(ExactAmount(text))
        let shares = Proration.prorate(
            amount.decimal, startMicros: 0, endMicros: 3 * 86_400_000_000, scale: Proration.minimumScale)
        #expect(shares.map { ExactAmount($0.amount)!.description } == [
            "3333333333333333333333333333.3333333333", "3333333333333333333333333333.3333333333",
            "3333333333333333333333333333.3333333333",
        ])
    }
}

extension Proration {
    /// The microseconds of `[start, end)` on each day, computed the plain way for comparison.
    static func overlapsForTesting(startMicros: Int64, endMicros: Int64) -> [(day: UTCDay, micros: Int64)] {
        let range = dayRange(startMicros: startMicros, endMicros: endMicros)
        return (range.lowerBound.daysSinceEpoch...range.upperBound.daysSinceEpoch).map { day in
            let dayStart = Int64(day) * 86_400_000_000
            return (UTCDay(daysSinceEpoch: day), min(endMicros, dayStart + 86_400_000_000) - max(startMicros, dayStart))
        }
    }
}

@Suite("Binary COPY encoding", .timeLimit(.minutes(5)))
struct BinaryCopyTests {
    /// Every amount's binary `numeric` reads back in Postgres as exactly its text, display scale included.
    @Test func numericsRoundTripThroughPostgres() async throws {
        var random = XorShift(state: 0xB1A5_0000_2024_0042)
        var amounts = [
            "0", "0.000", "1", "10000", "0.0001", "0.00001", "12345678.12345678", "-0.5", "99999999999999999999999999.99",
            "0.00000000000000000000000000000000000001", "1.000000000000", "-123456789012345678901234567.8901234567",
        ].map { ExactAmount($0)! }
        for _ in 0..<3_000 {
            let digits = random.next(1...38)
            let scale = random.next(max(0, digits - 28)...(digits + 12))
            amounts.append(
                ExactAmount(magnitude: random.magnitude(digits: digits), negative: random.next(0...1) == 1, scale: scale))
        }
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let stored = try await pool.transaction { [amounts] connection in
            try connection.simpleQuery("CREATE TEMP TABLE amounts (i int4, v numeric) ON COMMIT DROP")
            _ = try connection.copyInEncoded("COPY amounts (i, v) FROM STDIN (FORMAT binary)") { send in
                var buffer = BinaryCopyBuffer(capacity: 64)
                buffer.append(BinaryCopyBuffer.header)
                for (index, amount) in amounts.enumerated() {
                    buffer.row(fields: 2)
                    buffer.int4(Int32(index))
                    buffer.numeric(amount)
                }
                buffer.append(BinaryCopyBuffer.trailer)
                try send(buffer.bytes)
            }
            return try connection.query("SELECT v::text FROM amounts ORDER BY i").map { try $0.decode(String.self, at: 0) }
        }
        #expect(stored == amounts.map(\.description))
        await pool.close()
    }

    @Test func datesAndTimestampsCountFromTheRightEpoch() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let row = try await pool.transaction { connection in
            try connection.simpleQuery("CREATE TEMP TABLE moments (d date, t timestamptz, j jsonb) ON COMMIT DROP")
            _ = try connection.copyInEncoded("COPY moments FROM STDIN (FORMAT binary)") { send in
                var buffer = BinaryCopyBuffer(capacity: 16)
                buffer.append(BinaryCopyBuffer.header)
                buffer.row(fields: 3)
                buffer.date(UTCDay("1999-12-31")!)
                buffer.timestamp(micros: FocusTimestamp.parse("2025-05-01T13:14:15.5Z")!)
                Array(#"{"a": [1, "x"]}"#.utf8).withUnsafeBufferPointer { buffer.jsonb($0) }
                buffer.append(BinaryCopyBuffer.trailer)
                try send(buffer.bytes)
            }
            return try connection.query(
                "SELECT d::text, to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), j->'a'->>1 FROM moments"
            ).single()
        }
        #expect(try row.decode(String.self, at: 0) == "1999-12-31")
        #expect(try row.decode(String.self, at: 1) == "2025-05-01 13:14:15.500000")
        #expect(try row.decode(String.self, at: 2) == "x")
        await pool.close()
    }
}

@Suite("CSV reader", .timeLimit(.minutes(5)))
struct CSVReaderTests {
    static let text =
        "a,b,c\r\n"
        + "1,\"two, with comma\",3\r\n"
        + "\r\n"
        + "\"quoted \"\"twice\"\"\",\"multi\nline\",\n"
        + "x,,\"\"\n"
        + "long field with many bytes to cross every small buffer size,\"and \"\"one\"\" more quoted\",end\n"
        + "\n"
        + "last,row,\"no newline\""

    static let expected: [(line: Int, fields: [String])] = [
        (1, ["a", "b", "c"]),
        (2, ["1", "two, with comma", "3"]),
        (4, ["quoted \"twice\"", "multi\nline", ""]),
        (6, ["x", "", ""]),
        (7, ["long field with many bytes to cross every small buffer size", "and \"one\" more quoted", "end"]),
        (9, ["last", "row", "no newline"]),
    ]

    static func records(_ path: String, bufferSize: Int) throws -> [(line: Int, fields: [String])] {
        let reader = CSVRecordReader(source: try ByteSource(path: path), bufferSize: bufferSize)
        var records: [(line: Int, fields: [String])] = []
        while try reader.next() {
            records.append((reader.recordLine, (0..<reader.fieldCount).map { reader.fieldString($0) }))
        }
        return records
    }

    /// Records that straddle the buffer's end are parsed again after a refill, at every possible split.
    @Test func sameRecordsWhateverTheBufferSize() throws {
        let path = try Fixtures.file(Self.text)
        for size in [16, 17, 19, 23, 29, 31, 37, 41, 53, 64, 97, 128, 1 << 20] {
            let records = try Self.records(path, bufferSize: size)
            #expect(records.map(\.line) == Self.expected.map(\.line), "buffer \(size)")
            #expect(records.map(\.fields) == Self.expected.map(\.fields), "buffer \(size)")
        }
    }

    @Test func trailingCommaAtTheEndOfTheDataIsAnEmptyField() throws {
        let records = try Self.records(try Fixtures.file("a,b\n1,"), bufferSize: 16)
        #expect(records.map(\.fields) == [["a", "b"], ["1", ""]])
    }

    @Test(arguments: [
        ("a,b\n1,\"open\n", FocusImportError(.malformedCSV, line: 2, column: nil, detail: "unterminated quoted field")),
        ("a,b\n\"x\"y,2\n", FocusImportError(.malformedCSV, line: 2, column: nil, detail: "a character follows a closing quote")),
    ])
    func malformedCSVIsReportedWithItsLine(text: String, expected: FocusImportError) throws {
        #expect(throws: expected) { _ = try Self.records(try Fixtures.file(text), bufferSize: 16) }
    }
}

@Suite("Cost import checks", .timeLimit(.minutes(15)))
struct CostImportCheckTests {
    @Test func textThatIsNotUTF8IsReportedWithLineAndColumn() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        var data = Data("ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,BillingCurrency,ServiceName\n".utf8)
        data.append(Data("2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1,1,USD,ok\n".utf8))
        data.append(Data("2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1,1,USD,caf".utf8) + Data([0xE9, 0x0A]))
        let path = try Fixtures.file("")
        try data.write(to: URL(fileURLWithPath: path))
        await #expect(throws: FocusImportError(.invalidText, line: 3, column: "ServiceName")) {
            try await CostImporter(pool: pool, logger: Fixtures.logger).importFile(at: path, source: "latin1")
        }
        #expect(try await pool.query("SELECT count(*) FROM cost_daily").single().decode(Int.self, at: 0) == 0)
        await pool.close()
    }

    @Test func deletingASourceDeletesItsRowsOnly() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let importer = CostImporter(pool: pool, logger: Fixtures.logger)
        let path = try Fixtures.file(RealisticFocus.text)
        _ = try await importer.importFile(at: path, source: "aws")
        _ = try await importer.importFile(at: path, source: "aws-copy")
        let store = CostStore(pool: pool)
        #expect(try await store.delete(source: "aws"))
        #expect(try await !store.delete(source: "aws"))
        #expect(try await store.dailyRowCount(source: "aws") == nil)
        #expect(try await store.dailyRowCount(source: "aws-copy") == 88)
        #expect(try await pool.query("SELECT count(*) FROM cost_daily").single().decode(Int.self, at: 0) == 88)
        await pool.close()
    }
}
