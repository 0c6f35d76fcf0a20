/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) for `Retry-After` dates.
enum HTTPDateFormat {
    static func format(unixSeconds: Int64) -> String {
        let day = CivilDay(containingUnixSeconds: unixSeconds)
        let (year, month, dayOfMonth) = day.components
        let secondOfDay = Int(unixSeconds - day.unixSeconds)
        // 1970-01-01 was a Thursday.
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let weekday = weekdays[((day.daysSinceEpoch % 7) + 7) % 7]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekday), \(CivilDay.pad(dayOfMonth, 2)) \(months[month - 1]) \(CivilDay.pad(year, 4)) "
            + "\(CivilDay.pad(secondOfDay / 3600, 2)):\(CivilDay.pad(secondOfDay % 3600 / 60, 2)):"
            + "\(CivilDay.pad(secondOfDay % 60, 2)) GMT"
    }
}
