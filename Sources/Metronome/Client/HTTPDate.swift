#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// HTTP-date parsing (RFC 9110 §5.6.7): IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, plus the
/// obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms
/// that recipients must accept.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Date? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if tokens.count == 4, tokens[3].uppercased() == "GMT" {
            // RFC 850: weekday, DD-Mon-YY HH:MM:SS GMT
            let dateParts = tokens[1].split(separator: "-").map(String.init)
            guard dateParts.count == 3, var year = Int(dateParts[2]) else { return nil }
            if year < 100 { year += year < 70 ? 2000 : 1900 }
            return make(year: year, month: dateParts[1], day: dateParts[0], time: tokens[2])
        }
        if tokens.count == 6, tokens[5].uppercased() == "GMT", let year = Int(tokens[3]) {
            // IMF-fixdate: weekday, DD Mon YYYY HH:MM:SS GMT
            return make(year: year, month: tokens[2], day: tokens[1], time: tokens[4])
        }
        if tokens.count == 5, let year = Int(tokens[4]) {
            // asctime: weekday Mon D HH:MM:SS YYYY
            return make(year: year, month: tokens[1], day: tokens[2], time: tokens[3])
        }
        return nil
    }

    private static func make(year: Int, month: String, day: String, time: String) -> Date? {
        guard let monthIndex = months.firstIndex(of: month.lowercased()), let dayNumber = Int(day),
            let utcDay = UTCDay(year: year, month: monthIndex + 1, day: dayNumber)
        else { return nil }
        let timeParts = time.split(separator: ":").compactMap { Int($0) }
        guard timeParts.count == 3, (0...23).contains(timeParts[0]), (0...59).contains(timeParts[1]),
            (0...60).contains(timeParts[2])
        else { return nil }
        let seconds = utcDay.daysSinceEpoch * 86_400 + timeParts[0] * 3600 + timeParts[1] * 60 + timeParts[2]
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
