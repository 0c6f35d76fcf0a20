public import Foundation

/// What a chart shows: categories along x and one or more named series of values.
public struct ChartData: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        /// Grouped vertical bars, one group per category (customers).
        case bars
        /// Lines over the categories (days).
        case lines
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        /// One value per category; nil leaves a gap (undefined).
        public var values: [Decimal?]
        public init(name: String, values: [Decimal?]) {
            self.name = name
            self.values = values
        }
    }

    public var title: String
    public var style: Style
    public var categories: [String]
    public var series: [Series]
    public var yAxisLabel: String
    /// A line under the title: which categories are shown when not all are ("20 of 30 customers: …").
    public var footnote: String?

    public init(title: String, style: Style, categories: [String], series: [Series], yAxisLabel: String, footnote: String? = nil) {
        self.footnote = footnote
        self.title = title
        self.style = style
        self.categories = categories
        self.series = series
        self.yAxisLabel = yAxisLabel
    }
}
