public import Metronome

/// A half-open range of UTC days `[start, end)`: the shape of every import window.
public struct DayRange: Hashable, Sendable, Codable, CustomStringConvertible {
    public var start: UTCDay
    public var end: UTCDay

    public init(start: UTCDay, end: UTCDay) {
        precondition(start < end, "a day range holds at least one day")
        self.start = start
        self.end = end
    }

    /// The range of two `YYYY-MM-DD` days, nil unless both parse and `start < end`.
    public init?(startText: String, endText: String) {
        guard let start = UTCDay(startText), let end = UTCDay(endText), start < end else { return nil }
        self.init(start: start, end: end)
    }

    public var days: Int { end.daysSinceEpoch - start.daysSinceEpoch }
    public var description: String { "[\(start), \(end))" }

    public func contains(_ day: UTCDay) -> Bool { start <= day && day < end }

    /// The days in both ranges; nil when they share none.
    public func intersection(_ other: DayRange) -> DayRange? {
        let low = max(start, other.start), high = min(end, other.end)
        return low < high ? DayRange(start: low, end: high) : nil
    }

    enum CodingKeys: String, CodingKey { case start, end }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard
            let range = DayRange(
                startText: try container.decode(String.self, forKey: .start), endText: try container.decode(String.self, forKey: .end))
        else {
            throw DecodingError.dataCorruptedError(forKey: .start, in: container, debugDescription: "not a day range")
        }
        self = range
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(start.description, forKey: .start)
        try container.encode(end.description, forKey: .end)
    }
}

/// A set of days stored as sorted, non-overlapping, non-adjacent ranges.
public struct DaySet: Sendable, Equatable {
    public private(set) var ranges: [DayRange] = []

    public init(_ ranges: [DayRange] = []) {
        for range in ranges { insert(range) }
    }

    public mutating func insert(_ range: DayRange) {
        var merged = range
        var kept: [DayRange] = []
        for existing in ranges {
            if existing.end < merged.start || merged.end < existing.start {
                kept.append(existing)
            } else {
                merged = DayRange(start: min(existing.start, merged.start), end: max(existing.end, merged.end))
            }
        }
        kept.append(merged)
        ranges = kept.sorted { $0.start < $1.start }
    }

    /// The parts of `range` not in this set.
    public func missing(in range: DayRange) -> [DayRange] {
        var gaps: [DayRange] = []
        var cursor = range.start
        for covered in ranges where covered.end > range.start && covered.start < range.end {
            if cursor < covered.start { gaps.append(DayRange(start: cursor, end: covered.start)) }
            cursor = max(cursor, covered.end)
        }
        if cursor < range.end { gaps.append(DayRange(start: cursor, end: range.end)) }
        return gaps
    }

    /// The last day `d` such that every day of `[from, d]` is in the set, or nil.
    public func completeThrough(from: UTCDay) -> UTCDay? {
        guard let first = ranges.first(where: { $0.contains(from) }) else { return nil }
        return first.end.adding(days: -1)
    }
}
