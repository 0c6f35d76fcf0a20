public import NIOCore

/// Truth rows as JSON (an array of objects, values as exact decimal strings) or CSV.
public enum TruthRendering {
    public enum Format: String, Sendable {
        case json
        case csv
    }

    public static func json(_ rows: some Sequence<TruthRow>) -> String {
        render(rows, .json)
    }

    public static func csv(_ rows: some Sequence<TruthRow>) -> String {
        render(rows, .csv)
    }

    static func render(_ rows: some Sequence<TruthRow>, _ format: Format) -> String {
        var encoder = TruthEncoder(format: format)
        for row in rows { encoder.append(row) }
        encoder.finish()
        return String(buffer: encoder.takeChunk())
    }

    /// Streams the rows in chunks of about `chunkSize` bytes as they are computed, so the whole
    /// text is never held: what `GET /__sandbox/truth` writes its chunked body with.
    public static func stream(
        _ rows: some Sequence<TruthRow>,
        _ format: Format,
        chunkSize: Int = 1 << 16,
        into write: (ByteBuffer) async throws -> Void
    ) async throws {
        var encoder = TruthEncoder(format: format, capacity: chunkSize + 512)
        for row in rows {
            encoder.append(row)
            if encoder.bufferedBytes >= chunkSize { try await write(encoder.takeChunk()) }
        }
        encoder.finish()
        try await write(encoder.takeChunk())
    }

    /// ``stream(_:_:chunkSize:into:)`` for a synchronous sink, such as standard output.
    public static func forEachChunk(
        of rows: some Sequence<TruthRow>,
        _ format: Format,
        chunkSize: Int = 1 << 16,
        _ write: (ByteBuffer) throws -> Void
    ) throws {
        var encoder = TruthEncoder(format: format, capacity: chunkSize + 512)
        for row in rows {
            encoder.append(row)
            if encoder.bufferedBytes >= chunkSize { try write(encoder.takeChunk()) }
        }
        encoder.finish()
        try write(encoder.takeChunk())
    }
}

/// Writes truth rows one at a time and hands the text over in chunks; the text of all chunks put
/// together does not depend on where they were cut.
struct TruthEncoder {
    let format: TruthRendering.Format
    private let capacity: Int
    private var writer: JSONWriter

    init(format: TruthRendering.Format, capacity: Int = 1024) {
        self.format = format
        self.capacity = capacity
        writer = JSONWriter(capacity: capacity)
        switch format {
        case .json: writer.beginArray()
        case .csv:
            writer.buffer.writeStaticString("kind,billable_metric_id,credit_type_id,basis,customer_id,day,value\n")
        }
    }

    var bufferedBytes: Int { writer.buffer.readableBytes }

    mutating func append(_ row: TruthRow) {
        switch format {
        case .json:
            writer.beginObject()
            writer.field("kind", row.kind.rawValue)
            writer.field("billable_metric_id", optional: row.billableMetricID)
            writer.field("credit_type_id", optional: row.creditTypeID)
            writer.field("basis", optional: row.basis?.rawValue)
            writer.field("customer_id", row.customerID)
            writer.field("day", "\(row.day)")
            writer.field("value", "\(row.value)")
            writer.endObject()
        case .csv:
            // No field can hold a comma or a quote (ids, enums, dates, plain decimals).
            writer.buffer.writeString(
                [
                    row.kind.rawValue, row.billableMetricID ?? "", row.creditTypeID ?? "", row.basis?.rawValue ?? "",
                    row.customerID, "\(row.day)", "\(row.value)",
                ].joined(separator: ",")
            )
            writer.buffer.writeStaticString("\n")
        }
    }

    mutating func finish() {
        if format == .json { writer.endArray() }
    }

    /// The text written since the last chunk was taken.
    mutating func takeChunk() -> ByteBuffer {
        let chunk = writer.buffer
        writer.buffer = ByteBufferAllocator().buffer(capacity: capacity)
        return chunk
    }
}
