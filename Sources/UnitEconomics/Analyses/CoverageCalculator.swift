/// "Complete through": the last UTC day up to which every customer batch of a metric has been imported
/// without a gap from the metric's first day (read from `import_coverage`, as the planner does).
public enum CoverageCalculator {
    /// One imported window `[start, end)` of one customer batch.
    public struct Window: Sendable, Equatable {
        public var batch: Int
        public var start: UTCDate
        public var end: UTCDate
        public init(batch: Int, start: UTCDate, end: UTCDate) {
            self.batch = batch
            self.start = start
            self.end = end
        }
    }

    /// `batches` lists every batch (also those with no window yet); nil when some batch has nothing
    /// contiguous from `since`.
    public static func completeThrough(since: UTCDate, batches: Set<Int>, windows: [Window]) -> UTCDate? {
        guard !batches.isEmpty else { return nil }
        var result: UTCDate?
        for batch in batches {
            var reached = since  // exclusive end of the contiguous coverage so far
            for window in windows.filter({ $0.batch == batch }).sorted(by: { $0.start < $1.start }) {
                if window.start > reached { break }
                if window.end > reached { reached = window.end }
            }
            guard reached > since else { return nil }
            let through = reached.advanced(by: -1)
            result = result.map { min($0, through) } ?? through
        }
        return result
    }
}
