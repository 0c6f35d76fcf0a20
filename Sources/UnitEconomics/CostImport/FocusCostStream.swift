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
    public var firstDay: UTCDate?
    public var lastDay: UTCDate?

    public var skippedRows: Int { skipped.values.reduce(0, +) }
}

/// Reads a FOCUS CSV file (plain or gzip) row by row and encodes each row's daily shares as
/// `COPY cost_daily` text, handing the bytes over in chunks: constant memory whatever the file's size.
///
/// Rows are validated before anything of theirs is written, so a skipped row leaves no partial output.
final class FocusCostStream {
    /// The `cost_daily` columns, in the order the encoder writes them.
    static let copyColumns =
        "source_id, import_id, line, day, effective_cost, billed_cost, currency, provider, service_name, "
        + "service_category, charge_category, billing_account_id, sub_account_id, region_id, resource_id, tags, "
        + "charge_period_start, charge_period_end"

    private let reader: CSVRecordReader
    private let skipInvalid: Bool
    private let prefix: [UInt8]
    private static let flushThreshold = 1 << 18
    private static let maximumExamples = 5

    init(path: String, sourceID: Int, importID: Int64, skipInvalid: Bool) throws(FocusImportError) {
        reader = CSVRecordReader(source: try ByteSource(path: path))
        self.skipInvalid = skipInvalid
        prefix = Array("\(sourceID)\t\(importID)\t".utf8)
    }

    /// Streams the whole file through `send`. Throws the first invalid row's error unless skipping.
    func run(send: (UnsafeRawBufferPointer) throws -> Void) throws -> FocusStreamStatistics {
        guard try reader.next() else { throw FocusImportError(.emptyFile, line: 1) }
        let header = (0..<reader.fieldCount).map { reader.fieldString($0) }
        let columns = try FocusColumns(header: header)
        reader.header = columns.header
        reader.wanted = columns.wanted

        var statistics = FocusStreamStatistics()
        var output = CopyLineBuffer(capacity: Self.flushThreshold + 65_536)
        var suffix = CopyLineBuffer(capacity: 4096)
        var dayCache: (day: Int64, text: [UInt8]) = (Int64.min, [])
        let index = RowIndexes(columns)

        while try reader.next() {
            statistics.inputRows += 1
            do {
                let row = try parse(index: index, columns: columns)
                try write(row, index: index, into: &output, suffix: &suffix, dayCache: &dayCache, statistics: &statistics)
            } catch let error as FocusImportError {
                guard skipInvalid, !error.isFatalForFile else { throw error }
                statistics.skipped[error.code.rawValue, default: 0] += 1
                if statistics.skippedExamples.count < Self.maximumExamples { statistics.skippedExamples.append(error) }
                continue
            }
            if output.bytes.count >= Self.flushThreshold {
                try output.bytes.withUnsafeBytes { try send($0) }
                output.bytes.removeAll(keepingCapacity: true)
            }
        }
        if !output.bytes.isEmpty { try output.bytes.withUnsafeBytes { try send($0) } }
        return statistics
    }

    /// Column positions, resolved once.
    private struct RowIndexes {
        let start, end, effective, billed, currency: Int
        let provider, service, serviceCategory, chargeCategory, billingAccount, subAccount, region, resource, tags: Int?

        init(_ columns: FocusColumns) {
            start = columns[.chargePeriodStart]!
            end = columns[.chargePeriodEnd]!
            effective = columns[.effectiveCost]!
            billed = columns[.billedCost]!
            currency = columns[.billingCurrency]!
            provider = columns.providerIndex
            service = columns[.serviceName]
            serviceCategory = columns[.serviceCategory]
            chargeCategory = columns[.chargeCategory]
            billingAccount = columns[.billingAccountId]
            subAccount = columns[.subAccountId]
            region = columns[.regionId]
            resource = columns[.resourceId]
            tags = columns[.tags]
        }
    }

    private enum Cell<Value> {
        case empty, invalid, value(Value)
    }

    private struct ParsedRow {
        var startMicros: Int64
        var endMicros: Int64
        var effectiveScale: Int
        var billedScale: Int
    }

    private func parse(index: RowIndexes, columns: FocusColumns) throws(FocusImportError) -> ParsedRow {
        let line = reader.recordLine
        guard reader.fieldCount == columns.columnCount else {
            throw FocusImportError(
                .fieldCount, line: line, detail: "\(reader.fieldCount) fields, the header has \(columns.columnCount)")
        }
        func timestamp(_ position: Int, _ field: FocusColumns.Field) throws(FocusImportError) -> Int64 {
            let cell: Cell<Int64> = reader.withField(position) { bytes in
                if bytes.isEmpty { return .empty }
                return FocusTimestamp.parse(bytes).map(Cell.value) ?? .invalid
            }
            switch cell {
            case .invalid: throw FocusImportError(.invalidTimestamp, line: line, column: field.columnName)
            case .empty: throw FocusImportError(.emptyValue, line: line, column: field.columnName)
            case .value(let value): return value
            }
        }
        func number(_ position: Int, _ field: FocusColumns.Field) throws(FocusImportError) -> Int {
            let cell: Cell<Int> = reader.withField(position) { bytes in
                if bytes.isEmpty { return .empty }
                guard let shape = NumberShape(bytes) else { return .invalid }
                return .value(shape.hasExponent ? 20 : shape.fractionDigits)
            }
            switch cell {
            case .invalid: throw FocusImportError(.invalidNumber, line: line, column: field.columnName)
            case .empty: throw FocusImportError(.emptyValue, line: line, column: field.columnName)
            case .value(let value): return value
            }
        }
        let start = try timestamp(index.start, .chargePeriodStart)
        let end = try timestamp(index.end, .chargePeriodEnd)
        guard end >= start else {
            throw FocusImportError(.endBeforeStart, line: line, column: FocusColumns.Field.chargePeriodEnd.columnName)
        }
        let effectiveScale = try number(index.effective, .effectiveCost)
        let billedScale = try number(index.billed, .billedCost)
        if reader.withField(index.currency, { $0.isEmpty }) {
            throw FocusImportError(.emptyValue, line: line, column: FocusColumns.Field.billingCurrency.columnName)
        }
        if let tags = index.tags, !reader.withField(tags, { $0.isEmpty || JSONObjectValidator.isObject($0) }) {
            throw FocusImportError(.invalidTags, line: line, column: FocusColumns.Field.tags.columnName)
        }
        return ParsedRow(startMicros: start, endMicros: end, effectiveScale: effectiveScale, billedScale: billedScale)
    }

    private func write(
        _ row: ParsedRow, index: RowIndexes, into output: inout CopyLineBuffer, suffix: inout CopyLineBuffer,
        dayCache: inout (day: Int64, text: [UInt8]), statistics: inout FocusStreamStatistics
    ) throws {
        // Everything after the amounts is the same for every day of the row.
        suffix.bytes.removeAll(keepingCapacity: true)
        reader.withField(index.currency) { suffix.escaped($0) }
        for position in [index.provider, index.service, index.serviceCategory, index.chargeCategory,
            index.billingAccount, index.subAccount, index.region, index.resource]
        {
            suffix.tab()
            if let position { reader.withField(position) { suffix.optional($0) } } else { suffix.null() }
        }
        suffix.tab()
        if let tags = index.tags, !reader.withField(tags, { $0.isEmpty }) {
            reader.withField(tags) { suffix.escaped($0) }
        } else {
            suffix.raw([0x7B, 0x7D])  // {}
        }
        suffix.tab()
        reader.withField(index.start) { suffix.raw($0) }
        suffix.tab()
        reader.withField(index.end) { suffix.raw($0) }
        suffix.endLine()

        let line = Int64(reader.recordLine)
        func emit(day: UTCDate, effective: (inout CopyLineBuffer) -> Void, billed: (inout CopyLineBuffer) -> Void) {
            output.raw(prefix)
            output.integer(line)
            output.tab()
            if dayCache.day != day.daysSinceEpoch { dayCache = (day.daysSinceEpoch, Array(day.description.utf8)) }
            output.raw(dayCache.text)
            output.tab()
            effective(&output)
            output.tab()
            billed(&output)
            output.tab()
            output.raw(suffix.bytes)
            statistics.dailyRows += 1
            if statistics.firstDay.map({ day < $0 }) ?? true { statistics.firstDay = day }
            if statistics.lastDay.map({ day > $0 }) ?? true { statistics.lastDay = day }
        }

        let days = Proration.dayRange(startMicros: row.startMicros, endMicros: row.endMicros)
        if days.lowerBound == days.upperBound {
            emit(
                day: days.lowerBound,
                effective: { out in self.reader.withField(index.effective) { out.raw($0) } },
                billed: { out in self.reader.withField(index.billed) { out.raw($0) } })
            return
        }
        let effective = reader.withField(index.effective) { DecimalMath.parse($0) }!
        let billed = reader.withField(index.billed) { DecimalMath.parse($0) }!
        let effectiveShares = Proration.prorate(
            effective, startMicros: row.startMicros, endMicros: row.endMicros,
            scale: max(Proration.minimumScale, row.effectiveScale))
        let billedShares = Proration.prorate(
            billed, startMicros: row.startMicros, endMicros: row.endMicros,
            scale: max(Proration.minimumScale, row.billedScale))
        for (effectiveShare, billedShare) in zip(effectiveShares, billedShares) {
            emit(
                day: effectiveShare.day,
                effective: { $0.raw(Array(DecimalMath.text(effectiveShare.amount).utf8)) },
                billed: { $0.raw(Array(DecimalMath.text(billedShare.amount).utf8)) })
        }
    }
}
