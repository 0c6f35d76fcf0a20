/// Streams RFC 4180 records (quoted fields, doubled quotes, commas and line breaks inside quotes, CRLF or
/// LF line ends) from a ``ByteSource`` through a fixed-size buffer, so memory stays flat in the file's size.
///
/// A record is always parsed whole from the buffer: when one runs past the buffer's end, its start is
/// moved to the front, more is read, and the record is parsed again (the buffer grows only for a record
/// longer than itself). Fields are then ranges of the buffer, read in place; only a wanted field with
/// doubled quotes is copied, unescaped, to a side buffer. A FOCUS export has ~60 columns and we use ~15.
final class CSVRecordReader {
    private let source: ByteSource
    private var buffer: UnsafeMutableRawBufferPointer
    /// Valid bytes in `buffer`, and where the next record starts.
    private var count = 0
    private var position = 0
    private var atEnd = false

    /// Unescaped copies of the current record's wanted fields that had doubled quotes.
    private var unescaped: UnsafeMutableRawBufferPointer
    private var unescapedCount = 0

    /// Where a field's bytes are: in the buffer, or unescaped in the side buffer.
    private struct FieldLocation {
        var offset: Int
        var count: Int
        var inSideBuffer: Bool
    }
    private var fields: [FieldLocation] = []

    /// The physical line the reader is on (1-based); a quoted field can span lines.
    private(set) var currentLine = 1
    /// The number of fields the current record has.
    private(set) var fieldCount = 0
    /// The line on which the current record starts.
    private(set) var recordLine = 0
    /// Which field indexes the caller reads; others with doubled quotes are not unescaped. Nil: all.
    var wanted: [Bool]?
    /// Header names, when known, for error messages.
    var header: [String] = []

    /// The longest record accepted; a longer one is an error (one runaway quoted field must not take the
    /// whole file into memory).
    let maximumRecordBytes: Int

    init(source: ByteSource, bufferSize: Int = 1 << 20, maximumRecordBytes: Int = 1 << 20) {
        self.source = source
        self.maximumRecordBytes = maximumRecordBytes
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 16), alignment: 16)
        unescaped = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        unescaped.deallocate()
    }

    /// The bytes of field `index` of the current record (empty past the last field).
    @inline(__always)
    func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard index < fieldCount else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let field = fields[index]
        let base = field.inSideBuffer ? unescaped.baseAddress! : buffer.baseAddress!
        return try body(UnsafeBufferPointer(start: (base + field.offset).assumingMemoryBound(to: UInt8.self), count: field.count))
    }

    func fieldString(_ index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads the next non-blank record; false at the end of the file.
    func next() throws(FocusImportError) -> Bool {
        while true {
            guard try readRecord() else { return false }
            // A blank line is a record of one empty unquoted field: skip it.
            if fieldCount == 1, fields[0].count == 0, !lastRecordHadQuotes { continue }
            return true
        }
    }

    private var lastRecordHadQuotes = false

    /// Parses one record; when it runs past the buffered bytes, reads more and parses it again.
    private func readRecord() throws(FocusImportError) -> Bool {
        while true {
            if position == count {
                if atEnd { return false }
                try refill()
                continue
            }
            switch try parseRecord() {
            case .complete: return true
            case .needMore: try refill()
            }
        }
    }

    private enum Outcome { case complete, needMore }

    private static let comma: UInt8 = 0x2C, newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D, quote: UInt8 = 0x22

    private func parseRecord() throws(FocusImportError) -> Outcome {
        let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
        let end = count
        var index = position
        var lines = 0
        var fieldIndex = 0
        var hadQuotes = false
        unescapedCount = 0

        func record(_ location: FieldLocation) {
            if fieldIndex < fields.count { fields[fieldIndex] = location } else { fields.append(location) }
            fieldIndex += 1
        }
        func finish() -> Outcome {
            fieldCount = fieldIndex
            recordLine = currentLine
            currentLine += lines
            lastRecordHadQuotes = hadQuotes
            position = index
            return .complete
        }

        while true {
            // At the start of a field.
            if index == end {
                guard atEnd else { return .needMore }
                // `a,` at the end of the data: one more, empty field.
                record(FieldLocation(offset: index, count: 0, inSideBuffer: false))
                return finish()
            }
            if bytes[index] == Self.quote {
                hadQuotes = true
                index += 1
                let contentStart = index
                var doubled = false
                while true {
                    while index < end, bytes[index] != Self.quote {
                        if bytes[index] == Self.newline { lines += 1 }
                        index += 1
                    }
                    guard index < end else {
                        guard atEnd else { return .needMore }
                        throw FocusImportError(
                            .malformedCSV, line: currentLine, column: columnName(fieldIndex), detail: "unterminated quoted field")
                    }
                    // A quote: doubled (a literal quote) or closing. Deciding needs the next byte.
                    if index + 1 == end, !atEnd { return .needMore }
                    if index + 1 < end, bytes[index + 1] == Self.quote {
                        doubled = true
                        index += 2
                        continue
                    }
                    break
                }
                let contentEnd = index
                index += 1
                if doubled, wanted.map({ fieldIndex < $0.count && $0[fieldIndex] }) ?? true {
                    record(unescape(UnsafeBufferPointer(rebasing: bytes[contentStart..<contentEnd])))
                } else {
                    record(FieldLocation(offset: contentStart, count: contentEnd - contentStart, inSideBuffer: false))
                }
                if index < end, bytes[index] == Self.carriageReturn {
                    index += 1
                }
                if index == end {
                    guard atEnd else { return .needMore }
                    return finish()
                }
                switch bytes[index] {
                case Self.comma:
                    index += 1
                case Self.newline:
                    index += 1
                    lines += 1
                    return finish()
                default:
                    throw FocusImportError(
                        .malformedCSV, line: currentLine, column: columnName(fieldIndex - 1),
                        detail: "a character follows a closing quote")
                }
            } else {
                let fieldStart = index
                while index < end, bytes[index] != Self.comma, bytes[index] != Self.newline { index += 1 }
                if index == end, !atEnd { return .needMore }
                var fieldEnd = index
                if fieldEnd > fieldStart, bytes[fieldEnd - 1] == Self.carriageReturn { fieldEnd -= 1 }
                record(FieldLocation(offset: fieldStart, count: fieldEnd - fieldStart, inSideBuffer: false))
                if index == end { return finish() }
                index += 1
                if bytes[index - 1] == Self.newline {
                    lines += 1
                    return finish()
                }
            }
        }
    }

    /// Copies quoted content with its doubled quotes undone to the side buffer.
    private func unescape(_ content: UnsafeBufferPointer<UInt8>) -> FieldLocation {
        if unescapedCount + content.count > unescaped.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(
                byteCount: max(unescaped.count * 2, unescapedCount + content.count), alignment: 16)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: unescaped[0..<unescapedCount]))
            unescaped.deallocate()
            unescaped = larger
        }
        let start = unescapedCount
        var index = 0
        while index < content.count {
            unescaped[unescapedCount] = content[index]
            unescapedCount += 1
            index += content[index] == Self.quote ? 2 : 1
        }
        return FieldLocation(offset: start, count: unescapedCount - start, inSideBuffer: true)
    }

    /// Moves the unparsed bytes to the front and reads more after them, growing the buffer when a
    /// single record fills it.
    private func refill() throws(FocusImportError) {
        if position > 0 {
            let remaining = count - position
            if remaining > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + position, byteCount: remaining)
            }
            count = remaining
            position = 0
        } else if count == buffer.count {
            guard buffer.count < maximumRecordBytes else {
                throw FocusImportError(.recordTooLong, line: currentLine, detail: "a quote may be missing its closing quote")
            }
            let larger = UnsafeMutableRawBufferPointer.allocate(
                byteCount: min(buffer.count * 2, max(maximumRecordBytes, buffer.count)), alignment: 16)
            larger.copyMemory(from: UnsafeRawBufferPointer(buffer))
            buffer.deallocate()
            buffer = larger
        }
        // Fill the buffer (short reads from a pipe or gzip would otherwise make a long record be parsed
        // again from its start after every few bytes).
        while count < buffer.count {
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
            if read == 0 {
                atEnd = true
                break
            }
            count += read
        }
    }

    private func columnName(_ index: Int) -> String? {
        index < header.count ? header[index] : nil
    }
}
