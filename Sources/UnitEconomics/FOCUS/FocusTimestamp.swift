import Postgres

/// Parses FOCUS timestamps to microseconds since the epoch, UTC.
///
/// Accepts what exports write: `2024-01-01T00:00:00Z`, `2024-01-01T00:00:00.000Z`, `2024-01-01 00:00:00`
/// (taken as UTC), `2024-01-01T00:00:00+00:00`, `2024-01-01T00:00Z` and a bare `2024-01-01`. Postgres's
/// `timestamptz` input accepts all of these forms as well.
public enum FocusTimestamp {
    public static func parse(_ text: some StringProtocol) -> Int64? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { parse(UnsafeBufferPointer($0)) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let count = bytes.count
        @inline(__always) func number(_ width: Int) -> Int64? {
            guard index + width <= count else { return nil }
            var value: Int64 = 0
            for offset in 0..<width {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += width
            return value
        }
        @inline(__always) func expect(_ byte: UInt8) -> Bool {
            guard index < count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
            let day = number(2), CivilCalendar.isValid(year, month, day)
        else { return nil }
        var seconds = GregorianDays.days(fromCivil: year, month, day) * 86_400
        var micros: Int64 = 0
        if index < count {
            guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " ") else { return nil }
            index += 1
            guard let hour = number(2), hour < 24, expect(UInt8(ascii: ":")), let minute = number(2), minute < 60
            else { return nil }
            var second: Int64 = 0
            if expect(UInt8(ascii: ":")) {
                guard let value = number(2), value < 60 else { return nil }
                second = value
                if expect(UInt8(ascii: ".")) {
                    var scale: Int64 = 100_000
                    var digits = 0
                    while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                        micros += Int64(bytes[index] - 48) * scale
                        scale /= 10
                        digits += 1
                        index += 1
                    }
                    guard digits > 0, digits <= 9 else { return nil }
                }
            }
            seconds += hour * 3600 + minute * 60 + second
            if index < count {
                if bytes[index] == UInt8(ascii: "Z") {
                    index += 1
                } else {
                    let sign: Int64
                    switch bytes[index] {
                    case UInt8(ascii: "+"): sign = 1
                    case UInt8(ascii: "-"): sign = -1
                    default: return nil
                    }
                    index += 1
                    guard let offsetHours = number(2), offsetHours <= 14 else { return nil }
                    var offset = offsetHours * 3600
                    _ = expect(UInt8(ascii: ":"))
                    if index < count {
                        guard let offsetMinutes = number(2), offsetMinutes < 60 else { return nil }
                        offset += offsetMinutes * 60
                    }
                    seconds -= sign * offset
                }
            }
        }
        guard index == count else { return nil }
        return seconds * 1_000_000 + micros
    }
}
