/// Streams RFC 4180 records (quoted fields, doubled quotes, commas and line breaks inside quotes, CRLF or
/// LF line ends) from a ``ByteSource`` in fixed-size chunks, so memory stays flat in the file's size.
///
/// Only the fields a caller wants are copied out: a FOCUS export has ~60 columns and we use ~15.
final class CSVRecordReader {
    private let source: ByteSource
    private var chunk: UnsafeMutableRawBufferPointer
    private var chunkCount = 0
    private var position = 0
    private var atEnd = false
    /// The physical line the reader is on (1-based); a quoted field can span lines.
    private(set) var currentLine = 1

    /// The unescaped bytes of the wanted fields of the current record.
    private(set) var storage: [UInt8] = []
    /// Per field index: the range of its bytes in `storage` (empty for unwanted fields).
    private(set) var fields: [Range<Int>] = []
    /// The number of fields the current record has.
    private(set) var fieldCount = 0
    /// The line on which the current record starts.
    private(set) var recordLine = 0
    /// Which field indexes to copy; nil copies every field (used for the header).
    var wanted: [Bool]?

    init(source: ByteSource, chunkSize: Int = 1 << 20) {
        self.source = source
        chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        storage.reserveCapacity(4096)
    }

    deinit { chunk.deallocate() }

    /// The bytes of field `index` of the current record.
    @inline(__always)
    func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let range = index < fieldCount ? fields[index] : 0..<0
        return try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    func fieldString(_ index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    /// Reads the next non-blank record; false at the end of the file.
    func next() throws(FocusImportError) -> Bool {
        while true {
            guard try readRecord() else { return false }
            // A blank line is a record of one empty field: skip it.
            if fieldCount == 1 && fields[0].isEmpty && !lastRecordHadQuotes { continue }
            return true
        }
    }

    private var lastRecordHadQuotes = false

    private func readRecord() throws(FocusImportError) -> Bool {
        storage.removeAll(keepingCapacity: true)
        fieldCount = 0
        recordLine = currentLine
        lastRecordHadQuotes = false
        var state = State.fieldStart
        var fieldStart = 0
        var sawAnything = false
        let wanted = self.wanted
        var keep = wanted.map { $0.first ?? false } ?? true

        func endField() {
            let range = keep ? fieldStart..<storage.count : 0..<0
            if fieldCount < fields.count { fields[fieldCount] = range } else { fields.append(range) }
            fieldCount += 1
            fieldStart = storage.count
            if let wanted { keep = fieldCount < wanted.count ? wanted[fieldCount] : false }
        }

        while true {
            if position == chunkCount {
                if atEnd { break }
                chunkCount = try source.read(into: chunk)
                position = 0
                if chunkCount == 0 {
                    atEnd = true
                    break
                }
            }
            let bytes = UnsafeBufferPointer(
                start: chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), count: chunkCount)
            sawAnything = true
            while position < chunkCount {
                let byte = bytes[position]
                position += 1
                switch state {
                case .fieldStart, .unquoted:
                    if byte == 0x2C {  // ,
                        endField()
                        state = .fieldStart
                    } else if byte == 0x0A {  // \n
                        currentLine += 1
                        endField()
                        return true
                    } else if byte == 0x0D {  // \r of CRLF
                        continue
                    } else if byte == 0x22, state == .fieldStart {  // "
                        state = .quoted
                        lastRecordHadQuotes = true
                    } else {
                        if keep { storage.append(byte) }
                        state = .unquoted
                    }
                case .quoted:
                    if byte == 0x22 {
                        state = .quoteInQuoted
                    } else {
                        if byte == 0x0A { currentLine += 1 }
                        if keep { storage.append(byte) }
                    }
                case .quoteInQuoted:
                    if byte == 0x22 {
                        if keep { storage.append(0x22) }
                        state = .quoted
                    } else if byte == 0x2C {
                        endField()
                        state = .fieldStart
                    } else if byte == 0x0A {
                        currentLine += 1
                        endField()
                        return true
                    } else if byte == 0x0D {
                        continue
                    } else {
                        throw FocusImportError(
                            .malformedCSV, line: recordLine, column: columnName(fieldCount),
                            detail: "a character follows a closing quote")
                    }
                }
            }
        }
        // End of data.
        if state == .quoted {
            throw FocusImportError(.malformedCSV, line: recordLine, column: columnName(fieldCount), detail: "unterminated quoted field")
        }
        guard sawAnything, state != .fieldStart || fieldCount > 0 || !storage.isEmpty else { return false }
        endField()
        return true
    }

    /// Header names, when known, for error messages.
    var header: [String] = []
    private func columnName(_ index: Int) -> String? {
        index < header.count ? header[index] : nil
    }
}
