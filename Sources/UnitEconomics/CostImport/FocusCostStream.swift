public import Metronome
import Foundation

/// What one pass over a FOCUS file produced.
public struct FocusStreamStatistics: Sendable, Equatable {
    /// Data rows read (the header and blank lines not counted), skipped ones included.
    public var inputRows = 0
    /// Rows written to `cost_daily` (one per row and day it overlaps).
    public var dailyRows = 0
    /// Skipped rows by reason (only with `--skip-invalid`).
    public var skipped: [String: Int] = [:]
    /// The first few skipped rows, with their line and column.
    public var skippedExamples: [FocusImportError] = []
    /// The UTC days the imported rows cover (nil when nothing was imported).
    public var firstDay: UTCDay?
    public var lastDay: UTCDay?
    /// Exactly the days the imported rows cover, as ranges: what a re-import replaces, and nothing
    /// between (a file of January and one row of March leaves February's earlier import alone).
    public var coveredDays = DayRanges()

    public var skippedRows: Int { skipped.values.reduce(0, +) }
}

/// Reads a FOCUS CSV file (plain or gzip) row by row and encodes each row's daily shares as binary
/// `COPY cost_daily` data, handing the bytes over in chunks: constant memory whatever the file's size.
///
/// Rows are validated before anything of theirs is written, so a skipped row leaves no partial output.
final class FocusCostStream {
    /// The `cost_daily` columns, in the order the encoder writes them.
    static let copyColumns =
        "source_id, import_id, line, day, effective_cost, billed_cost, currency, provider, service_name, "
        + "service_category, charge_category, billing_account_id, sub_account_id, region_id, resource_id, tags, "
        + "charge_period_start, charge_period_end"
    static let copyFieldCount: Int16 = 18
    static let copyStatement = "COPY cost_daily (\(copyColumns)) FROM STDIN (FORMAT binary)"

    private let reader: CSVRecordReader
    private let skipInvalid: Bool
    private let sourceID: Int32
    private let importID: Int64
    private static let flushThreshold = 1 << 18
    private static let maximumExamples = 5

    init(path: String, sourceID: Int, importID: Int64, skipInvalid: Bool) throws(FocusImportError) {
        reader = CSVRecordReader(source: try ByteSource(path: path))
        self.skipInvalid = skipInvalid
        self.sourceID = Int32(sourceID)
        self.importID = importID
    }

    /// Streams the whole file through `send`. Throws the first invalid row's error unless skipping.
    func run(send: (UnsafeRawBufferPointer) throws -> Void) throws -> FocusStreamStatistics {
        guard try reader.next() else { throw FocusImportError(.emptyFile, line: 1) }
        let header = (0..<reader.fieldCount).map { reader.fieldString($0) }
        let columns = try FocusColumns(header: header)
        reader.header = columns.header
        reader.wanted = columns.wanted

        var statistics = FocusStreamStatistics()
        var output = BinaryCopyBuffer(capacity: Self.flushThreshold + 65_536)
        var suffix = BinaryCopyBuffer(capacity: 4096)
        let index = RowIndexes(columns)
        output.append(BinaryCopyBuffer.header)

        while try reader.next() {
            statistics.inputRows += 1
            do {
                let row = try parse(index: index, columns: columns)
                write(row, index: index, into: &output, suffix: &suffix, statistics: &statistics)
            } catch {
                guard skipInvalid, !error.isFatalForFile else { throw error }
                statistics.skipped[error.code.rawValue, default: 0] += 1
                if statistics.skippedExamples.count < Self.maximumExamples { statistics.skippedExamples.append(error) }
                continue
            }
            if output.count >= Self.flushThreshold {
                try send(output.bytes)
                output.removeAll()
            }
        }
        output.append(BinaryCopyBuffer.trailer)
        try send(output.bytes)
        return statistics
    }

    /// Column positions, resolved once.
    private struct RowIndexes {
        let start, end, effective, billed, currency: Int
        /// The optional text columns, in `copyColumns` order (nil: absent from the file).
        let texts: [Int?]
        let tags: Int?

        init(_ columns: FocusColumns) {
            start = columns[.chargePeriodStart]!
            end = columns[.chargePeriodEnd]!
            effective = columns[.effectiveCost]!
            billed = columns[.billedCost]!
            currency = columns[.billingCurrency]!
            texts = [
                columns.providerIndex, columns[.serviceName], columns[.serviceCategory], columns[.chargeCategory],
                columns[.billingAccountId], columns[.subAccountId], columns[.regionId], columns[.resourceId],
            ]
            tags = columns[.tags]
        }
    }

    private struct ParsedRow {
        var startMicros: Int64
        var endMicros: Int64
        var effective: ExactAmount
        var billed: ExactAmount
    }

    private func parse(index: RowIndexes, columns: FocusColumns) throws(FocusImportError) -> ParsedRow {
        let line = reader.recordLine
        guard reader.fieldCount == columns.columnCount else {
            throw FocusImportError(
                .fieldCount, line: line, detail: "\(reader.fieldCount) fields, the header has \(columns.columnCount)")
        }
        /// A required cell's value; an empty cell and one that does not parse are different errors.
        func required<Value>(
            _ position: Int, _ field: FocusColumns.Field, invalid: FocusImportError.Code,
            _ parse: (UnsafeBufferPointer<UInt8>) -> Value?
        ) throws(FocusImportError) -> Value {
            let value: Value?? = reader.withField(position) { bytes in bytes.isEmpty ? .none : .some(parse(bytes)) }
            guard let present = value else { throw FocusImportError(.emptyValue, line: line, column: field.columnName) }
            guard let parsed = present else {
                let text = reader.withField(position) { String(decoding: $0.prefix(40), as: UTF8.self) }
                throw FocusImportError(invalid, line: line, column: field.columnName, detail: Self.invalidDetail(text, invalid))
            }
            return parsed
        }
        func checkText(_ position: Int?) throws(FocusImportError) {
            guard let position, !reader.withField(position, TextCheck.isPostgresText) else { return }
            throw FocusImportError(.invalidText, line: line, column: columns.header[position])
        }
        let start = try required(index.start, .chargePeriodStart, invalid: .invalidTimestamp) { FocusTimestamp.parse($0) }
        let end = try required(index.end, .chargePeriodEnd, invalid: .invalidTimestamp) { FocusTimestamp.parse($0) }
        guard end >= start else {
            throw FocusImportError(.endBeforeStart, line: line, column: FocusColumns.Field.chargePeriodEnd.columnName)
        }
        // A charge period is an hour, a day, a month, at most a year: a longer one is an error in the
        // file, and would be prorated into a day row for every day of it.
        guard end - start <= Self.longestPeriodMicros else {
            throw FocusImportError(.periodTooLong, line: line, column: FocusColumns.Field.chargePeriodEnd.columnName)
        }
        let effective = try required(index.effective, .effectiveCost, invalid: .invalidNumber) { ExactAmount(parsing: $0) }
        let billed = try required(index.billed, .billedCost, invalid: .invalidNumber) { ExactAmount(parsing: $0) }
        if reader.withField(index.currency, { $0.isEmpty }) {
            throw FocusImportError(.emptyValue, line: line, column: FocusColumns.Field.billingCurrency.columnName)
        }
        try checkText(index.currency)
        for position in index.texts { try checkText(position) }
        if let tags = index.tags, !reader.withField(tags, { $0.isEmpty || JSONObjectValidator.isObject($0) }) {
            throw FocusImportError(.invalidTags, line: line, column: FocusColumns.Field.tags.columnName)
        }
        try checkText(index.tags)
        return ParsedRow(startMicros: start, endMicros: end, effective: effective, billed: billed)
    }

    /// The value found (at most 40 characters) and, for the usual mistakes, what is expected instead.
    static func invalidDetail(_ text: String, _ code: FocusImportError.Code) -> String {
        var detail = "found \"\(text)\""
        if code == .invalidNumber, text.contains(where: { "$€£¥".contains($0) }) || text.contains(",") {
            detail += "; amounts are plain decimal numbers, without a currency symbol or thousands separators (10.38)"
        } else if code == .invalidTimestamp {
            detail += "; expected an ISO 8601 time such as 2026-01-31T00:00:00Z"
        }
        return detail
    }

    private static let emptyObject: [UInt8] = Array("{}".utf8)
    static let longestPeriodMicros: Int64 = 366 * 86_400 * 1_000_000

    private func write(
        _ row: ParsedRow, index: RowIndexes, into output: inout BinaryCopyBuffer, suffix: inout BinaryCopyBuffer,
        statistics: inout FocusStreamStatistics
    ) {
        // Everything after the amounts is the same for every day of the row.
        suffix.removeAll()
        reader.withField(index.currency) { suffix.text($0) }
        for position in index.texts {
            if let position { reader.withField(position) { suffix.optionalText($0) } } else { suffix.null() }
        }
        if let tags = index.tags, !reader.withField(tags, { $0.isEmpty }) {
            reader.withField(tags) { suffix.jsonb($0) }
        } else {
            Self.emptyObject.withUnsafeBufferPointer { suffix.jsonb($0) }
        }
        suffix.timestamp(micros: row.startMicros)
        suffix.timestamp(micros: row.endMicros)

        let line = Int64(reader.recordLine)
        let split = Proration.Split(startMicros: row.startMicros, endMicros: row.endMicros)
        func emit(day: UTCDay, effective: ExactAmount, billed: ExactAmount) {
            output.row(fields: Self.copyFieldCount)
            output.int4(sourceID)
            output.int8(importID)
            output.int8(line)
            output.date(day)
            output.numeric(effective)
            output.numeric(billed)
            output.append(suffix)
        }
        if split.dayCount == 1 {
            emit(day: split.day(0), effective: row.effective, billed: row.billed)
        } else {
            var effective = Proration.Shares(row.effective, duration: split.duration)
            var billed = Proration.Shares(row.billed, duration: split.duration)
            for day in 0..<split.dayCount {
                let micros = split.micros(onDay: day)
                let isLast = day == split.dayCount - 1
                emit(
                    day: split.day(day), effective: effective.next(micros: micros, isLast: isLast),
                    billed: billed.next(micros: micros, isLast: isLast))
            }
        }
        statistics.dailyRows += split.dayCount
        let first = split.day(0)
        let last = split.day(split.dayCount - 1)
        if statistics.firstDay.map({ first < $0 }) ?? true { statistics.firstDay = first }
        if statistics.lastDay.map({ last > $0 }) ?? true { statistics.lastDay = last }
        statistics.coveredDays.insert(first.daysSinceEpoch, through: last.daysSinceEpoch)
    }
}

/// Postgres `text` must be valid UTF-8 without NUL bytes; checked here so that a bad cell is reported
/// with its line and column rather than failing the COPY.
enum TextCheck {
    static func isPostgresText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var ascii = true
        for byte in bytes {
            if byte == 0 { return false }
            if byte >= 0x80 { ascii = false }
        }
        if ascii { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
