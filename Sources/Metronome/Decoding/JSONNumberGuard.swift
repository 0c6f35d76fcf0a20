/// Finds JSON numbers that a `Decimal` cannot hold exactly. `JSONDecoder` would round such a number
/// to 38 digits without a word; an amount must be stored exactly or refused, so a page holding one
/// is refused before it is decoded.
enum JSONNumberGuard {
    /// A `Decimal`'s 128-bit mantissa holds any 38-digit integer.
    static let maximumDigits = 38

    struct Overlong: Equatable {
        var offset: Int
        var digits: Int
    }

    /// The first number (outside strings) with more than ``maximumDigits`` significant digits:
    /// leading zeros and trailing zeros of the digits do not count (`0.000120` has 2).
    static func firstOverlongNumber(in bytes: UnsafeRawBufferPointer) -> Overlong? {
        var index = 0
        var inString = false
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = true
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else {
                index += 1
                continue
            }
            // A number token: its mantissa digits run until the exponent or the end of the token.
            let start = index
            var significant = 0
            var pendingZeros = 0
            var seenNonZero = false
            scan: while index < count {
                let digit = bytes[index]
                switch digit {
                case UInt8(ascii: "0"):
                    if seenNonZero { pendingZeros += 1 }
                case UInt8(ascii: "1")...UInt8(ascii: "9"):
                    significant += pendingZeros + 1
                    pendingZeros = 0
                    seenNonZero = true
                case UInt8(ascii: "-"), UInt8(ascii: "."):
                    break
                default:
                    break scan
                }
                index += 1
            }
            // Skip an exponent.
            exponent: while index < count {
                switch bytes[index] {
                case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    index += 1
                default:
                    break exponent
                }
            }
            if significant > maximumDigits { return Overlong(offset: start, digits: significant) }
        }
        return nil
    }
}
