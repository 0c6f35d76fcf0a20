/// Midnight timestamps pre-rendered in every style for a range of days: a usage page writes two
/// per window, and formatting them on the fly would dominate the sandbox's CPU time.
struct DayStampCache: Sendable {
    let first: CivilDay
    private let stamps: [[String]]

    init(first: CivilDay, last: CivilDay) {
        self.first = first
        let count = max(0, last.daysSinceEpoch - first.daysSinceEpoch + 1)
        self.stamps = TimestampStyle.allCases.map { style in
            (0..<count).map { Timestamp(day: first.adding(days: $0)).formatted(style) }
        }
    }

    func midnight(_ day: CivilDay, _ style: TimestampStyle = .zulu) -> String {
        let offset = day.daysSinceEpoch - first.daysSinceEpoch
        let styleStamps = stamps[style.rawValue]
        guard offset >= 0, offset < styleStamps.count else { return Timestamp(day: day).formatted(style) }
        return styleStamps[offset]
    }
}
