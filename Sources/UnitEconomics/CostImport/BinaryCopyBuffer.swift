import Metronome
/// Builds `COPY … FROM STDIN (FORMAT binary)` data: every field as a 4-byte length and its bytes in the
/// type's binary form, so Postgres parses no text (no numbers, dates or timestamps) and nothing needs
/// escaping.
///
/// A raw growable buffer: ``reserve(_:)`` once per row for its largest size, then the writes are
/// unchecked stores.
struct BinaryCopyBuffer: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var count = 0

    /// The signature, flags and header extension that start binary COPY data.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]
    /// The field count -1 that ends it.
    static let trailer: [UInt8] = [0xFF, 0xFF]

    /// Postgres counts dates and timestamps from 2000-01-01.
    static let postgresEpochDays = 10_957
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    mutating func removeAll() { count = 0 }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let newCapacity = max(capacity * 2, count + extra)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    @inline(__always)
    mutating func append(_ other: borrowing BinaryCopyBuffer) { append(other.bytes) }

    @inline(__always)
    private mutating func store<T: FixedWidthInteger>(_ value: T) {
        (base + count).storeBytes(of: value.bigEndian, as: T.self)
        count += MemoryLayout<T>.size
    }

    /// Starts a row of `fields` fields.
    @inline(__always) mutating func row(fields: Int16) { reserve(2); store(fields) }

    @inline(__always) mutating func null() { reserve(4); store(Int32(-1)) }

    /// An `int4` field.
    @inline(__always) mutating func int4(_ value: Int32) { reserve(8); store(Int32(4)); store(value) }

    /// An `int8` field.
    @inline(__always) mutating func int8(_ value: Int64) { reserve(12); store(Int32(8)); store(value) }

    /// A `date` field.
    @inline(__always) mutating func date(_ day: UTCDay) { int4(Int32(day.daysSinceEpoch - Self.postgresEpochDays)) }

    /// A `timestamptz` field from microseconds since the Unix epoch.
    @inline(__always) mutating func timestamp(micros: Int64) { int8(micros - Self.postgresEpochMicros) }

    /// A `text` field (the bytes must be valid UTF-8 without NUL).
    @inline(__always)
    mutating func text(_ field: UnsafeBufferPointer<UInt8>) {
        reserve(4 + field.count)
        store(Int32(field.count))
        append(UnsafeRawBufferPointer(field))
    }

    /// A `text` field, NULL when empty.
    @inline(__always)
    mutating func optionalText(_ field: UnsafeBufferPointer<UInt8>) {
        if field.isEmpty { null() } else { text(field) }
    }

    /// A `jsonb` field: format version 1, then the JSON text.
    mutating func jsonb(_ field: UnsafeBufferPointer<UInt8>) {
        reserve(5 + field.count)
        store(Int32(1 + field.count))
        store(UInt8(1))
        append(UnsafeRawBufferPointer(field))
    }

    /// A `numeric` field: base-10000 digits with a weight (the power of 10000 of the first digit), a
    /// sign and the display scale. Trailing zero digits are left out; the display scale keeps them.
    mutating func numeric(_ amount: ExactAmount) {
        // At most 38 significant decimal digits, plus up to 3 of padding to align the point: 11 groups.
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var groupCount = 0
        var lowestWeight = 0
        /// Trailing zero groups carry nothing: they are left out.
        var trailingZeros = 0
        withUnsafeMutableBytes(of: &groups) { raw in
            let group = raw.bindMemory(to: UInt16.self)
            var magnitude = amount.magnitude
            guard magnitude != 0 else { return }
            // Groups are aligned on the decimal point: the lowest one may need padding with zeros.
            let padding = (4 - amount.scale % 4) % 4
            lowestWeight = -(amount.scale + padding) / 4
            if padding != 0 {
                let partial = 4 - padding
                let (rest, low) = magnitude.quotientAndRemainder(dividingBy: ExactAmount.pow10(partial))
                group[0] = UInt16(low) * UInt16(ExactAmount.pow10(padding))
                groupCount = 1
                magnitude = rest
            }
            if magnitude <= UInt128(UInt64.max) {
                var small = UInt64(magnitude)
                while small != 0 {
                    group[groupCount] = UInt16(small % 10_000)
                    small /= 10_000
                    groupCount += 1
                }
            } else {
                while magnitude != 0 {
                    let (rest, low) = magnitude.quotientAndRemainder(dividingBy: 10_000)
                    group[groupCount] = UInt16(low)
                    magnitude = rest
                    groupCount += 1
                }
            }
            while trailingZeros < groupCount, group[trailingZeros] == 0 { trailingZeros += 1 }
        }
        let digits = groupCount - trailingZeros
        reserve(12 + 2 * digits)
        store(Int32(8 + 2 * digits))
        store(Int16(digits))
        store(Int16(digits == 0 ? 0 : lowestWeight + groupCount - 1))
        store(UInt16(amount.negative ? 0x4000 : 0))
        store(Int16(amount.scale))
        withUnsafeBytes(of: groups) { raw in
            let group = raw.bindMemory(to: UInt16.self)
            var index = groupCount - 1
            while index >= trailingZeros {
                store(group[index])
                index -= 1
            }
        }
    }
}
