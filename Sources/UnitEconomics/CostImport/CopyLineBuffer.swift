/// Builds lines of `COPY … FROM STDIN` text format directly as bytes: tab-separated fields, `\N` for
/// NULL, and backslash, tab, newline and carriage return escaped.
struct CopyLineBuffer {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    @inline(__always) mutating func tab() { bytes.append(0x09) }
    @inline(__always) mutating func endLine() { bytes.append(0x0A) }
    @inline(__always) mutating func null() { bytes.append(contentsOf: [0x5C, 0x4E]) }

    /// Bytes known to need no escaping (digits, dates, validated numbers and timestamps).
    @inline(__always) mutating func raw(_ field: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: field) }
    @inline(__always) mutating func raw(_ field: [UInt8]) { bytes.append(contentsOf: field) }

    /// Text that may contain bytes COPY treats specially.
    mutating func escaped(_ field: UnsafeBufferPointer<UInt8>) {
        var needsEscape = false
        for byte in field where byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            needsEscape = true
            break
        }
        guard needsEscape else {
            bytes.append(contentsOf: field)
            return
        }
        for byte in field {
            switch byte {
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            default: bytes.append(byte)
            }
        }
    }

    /// An optional text field: empty becomes NULL.
    mutating func optional(_ field: UnsafeBufferPointer<UInt8>) {
        if field.isEmpty { null() } else { escaped(field) }
    }

    mutating func integer(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            integer(-value)
            return
        }
        if value < 10 {
            bytes.append(UInt8(48 + value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 {
                buffer[19 - count] = UInt8(48 + remaining % 10)
                remaining /= 10
                count += 1
            }
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }
}
