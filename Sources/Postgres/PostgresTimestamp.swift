import Foundation

/// Fast, allocation-light conversion between `Date` and Postgres's ISO timestamp text.
///
/// Connections run with `TimeZone=UTC` and `DateStyle=ISO`, so the server sends
/// `2026-11-26 01:11:14.123456+00`; offsets other than `+00` are still honoured.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        micros %= 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = GregorianDays.civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(micros, 6))Z"
    }

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<width {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
            let day = number(2)
        else { return nil }
        var seconds = GregorianDays.days(fromCivil: year, month, day) * 86_400
        var micros: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "T") {
            index += 1
            guard let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2),
                expect(UInt8(ascii: ":")), let second = number(2)
            else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if expect(UInt8(ascii: ".")) {
                var scale: Int64 = 100_000
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    micros += Int64(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
            if index < bytes.count {
                if bytes[index] == UInt8(ascii: "Z") {
                    index += 1
                } else {
                    let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                    guard bytes[index] == UInt8(ascii: "+") || sign == -1 else { return nil }
                    index += 1
                    guard let offsetHours = number(2) else { return nil }
                    var offset = offsetHours * 3600
                    _ = expect(UInt8(ascii: ":"))
                    if let offsetMinutes = number(2) {
                        offset += offsetMinutes * 60
                        if expect(UInt8(ascii: ":")), let offsetSeconds = number(2) { offset += offsetSeconds }
                    }
                    seconds -= sign * offset
                }
            }
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }
}
