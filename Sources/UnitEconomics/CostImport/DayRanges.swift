/// A set of days (days since 1970-01-01) kept as sorted, disjoint, non-adjacent closed ranges. Rows of
/// a FOCUS file arrive roughly in order, so an insert touches the last ranges only.
public struct DayRanges: Sendable, Equatable {
    public private(set) var ranges: [ClosedRange<Int>] = []

    public init() {}

    public mutating func insert(_ first: Int, through last: Int) {
        var merged = first...last
        // Ranges that overlap or touch the new one are at the end of the sorted list, or near it.
        var index = ranges.endIndex
        while index > ranges.startIndex {
            let candidate = ranges[index - 1]
            if candidate.upperBound + 1 < merged.lowerBound { break }
            index -= 1
            if candidate.lowerBound > merged.upperBound + 1 { continue }
            merged = min(candidate.lowerBound, merged.lowerBound)...max(candidate.upperBound, merged.upperBound)
            ranges.remove(at: index)
        }
        // `index` is where the merged range keeps the order.
        var position = index
        while position < ranges.endIndex && ranges[position].lowerBound < merged.lowerBound { position += 1 }
        ranges.insert(merged, at: position)
    }

    public var dayCount: Int { ranges.reduce(0) { $0 + $1.upperBound - $1.lowerBound + 1 } }
}
