import Foundation
import Metronome

/// Draws a ``ChartData`` as a self-contained SVG (axes, tick labels, legend), viewable offline in any
/// browser. Values become pixel positions through `Double`: that is drawing, not arithmetic on amounts.
public struct SVGChartRenderer: Sendable {
    public var width = 960.0
    public var height = 540.0

    public init() {}

    private static let palette = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5"]

    /// A generous width of one character at the 12 px font, for laying out text without measuring it.
    static let characterWidth = 7.0
    /// Category labels run down and to the right at this angle, so long names do not collide.
    static let labelAngle = 45.0
    /// Category labels longer than this are cut with an ellipsis (the full name is in the bar's tooltip).
    static let labelCharacters = 18
    static let legendColumns = 4

    /// The vertical room the rotated category labels take below the plot (a day axis takes one line).
    static func labelRoom(_ categories: [String]) -> Double {
        let longest = Double(categories.map { min($0.count, labelCharacters) }.max() ?? 0)
        return 14 + longest * characterWidth * sin(labelAngle * .pi / 180) + 8
    }

    /// The categories as days when every one is a day (`YYYY-MM-DD`): such an axis is labelled level
    /// and thinned. Nil otherwise.
    static func days(_ categories: [String]) -> [UTCDay]? {
        let days = categories.compactMap { UTCDay($0) }
        return !days.isEmpty && days.count == categories.count ? days : nil
    }

    /// The indices of the days that get a label, about one per `spacing` pixels: every n-th day counted
    /// back from the last, so the newest day is always labelled; n is 1, 2, 7, 14, 28 or a multiple of 28,
    /// so labels fall on the same weekday.
    static func labelledDays(count: Int, plotWidth: Double, spacing: Double = 64) -> [Int] {
        guard count > 0 else { return [] }
        let fit = max(1, Int(plotWidth / spacing))
        let needed = Double(count) / Double(fit)
        let every = [1, 2, 7, 14, 28].first { Double($0) >= needed } ?? 28 * Int((needed / 28).rounded(.up))
        return stride(from: count - 1, through: 0, by: -every).reversed()
    }

    /// `2026-11-20` as `Nov 20`; with the year when the axis spans more than one (`Nov 20 2025`).
    static func dayLabel(_ day: UTCDay, withYear: Bool) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let (year, month, dayOfMonth) = day.components
        return "\(months[month - 1]) \(dayOfMonth)" + (withYear ? " \(year)" : "")
    }

    static func truncated(_ text: String, to characters: Int) -> String {
        text.count > characters ? String(text.prefix(max(characters - 1, 1))) + "…" : text
    }

    public func render(_ chart: ChartData) -> String {
        let left = 90.0, top = chart.footnote == nil ? 50.0 : 62.0
        // Rotated names run right of their bar: room for the last one, so it is never cut at the edge.
        let days = Self.days(chart.categories)
        let lastName = days != nil ? 0 : min(chart.categories.last?.count ?? 0, Self.labelCharacters)
        let right = max(30.0, Double(lastName) * Self.characterWidth * cos(Self.labelAngle * .pi / 180) + 8)
        let legendRows = Double((chart.series.count + Self.legendColumns - 1) / Self.legendColumns)
        // Below the plot: the rotated category labels, then the legend, each in its own band.
        let labelRoom = days != nil ? 24 : Self.labelRoom(chart.categories)
        let bottom = labelRoom + 10 + legendRows * 20 + 10
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let values = chart.series.flatMap { $0.values.compactMap { $0.map(Self.double) } }
        let (low, high, step) = Self.niceScale(min: min(0, values.min() ?? 0), max: max(0, values.max() ?? 1))
        func y(_ value: Double) -> Double { top + plotHeight - (value - low) / (high - low) * plotHeight }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(width / 2))" y="28" text-anchor="middle" font-size="16" font-weight="bold">\(Self.escape(chart.title))</text>

            """
        if let footnote = chart.footnote {
            svg += "<text x=\"\(Int(width / 2))\" y=\"46\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">\(Self.escape(footnote))</text>\n"
        }
        // Grid lines and y tick labels.
        var tick = low
        while tick <= high + step / 2 {
            let position = y(tick)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(position))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(position))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(position + 4))\" text-anchor=\"end\">\(Self.tickLabel(tick, step: step))</text>\n"
            tick += step
        }
        // Axes.
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\" stroke=\"#333\"/>\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(0)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(0)))\" stroke=\"#333\"/>\n"
        svg += "<text transform=\"translate(20 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(chart.yAxisLabel))</text>\n"

        let count = max(chart.categories.count, 1)
        let slot = plotWidth / Double(count)
        if let days {
            // Level labels, thinned to fit; the last one ends inside the canvas.
            let withYear = Set(days.map(\.components.year)).count > 1
            for index in Self.labelledDays(count: days.count, plotWidth: plotWidth) {
                let x = left + slot * (Double(index) + 0.5)
                let label = Self.dayLabel(days[index], withYear: withYear)
                let anchor = index == days.count - 1 && slot < 40 ? "end" : "middle"
                svg += "<text class=\"day\" x=\"\(f(x))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"\(anchor)\">\(label)</text>\n"
            }
        } else {
            let labelEvery = max(1, Int((Double(count) * 14 / plotWidth).rounded(.up)))
            for (index, category) in chart.categories.enumerated() where index % labelEvery == 0 {
                let x = left + slot * (Double(index) + 0.5)
                let label = Self.escape(Self.truncated(category, to: Self.labelCharacters))
                svg += "<text transform=\"translate(\(f(x)) \(f(top + plotHeight + 14))) rotate(\(f(Self.labelAngle)))\" text-anchor=\"start\">\(label)</text>\n"
            }
        }

        switch chart.style {
        case .bars:
            let groupWidth = slot * 0.8
            let barWidth = groupWidth / Double(max(chart.series.count, 1))
            for (seriesIndex, series) in chart.series.enumerated() {
                let color = Self.palette[seriesIndex % Self.palette.count]
                for (index, value) in series.values.enumerated() {
                    guard let value else { continue }
                    let v = Self.double(value)
                    let x = left + slot * Double(index) + slot * 0.1 + barWidth * Double(seriesIndex)
                    let top = min(y(v), y(0))
                    let barHeight = abs(y(v) - y(0))
                    svg += "<rect x=\"\(f(x))\" y=\"\(f(top))\" width=\"\(f(max(barWidth - 1, 1)))\" height=\"\(f(barHeight))\" fill=\"\(color)\"><title>\(Self.escape(series.name)) — \(Self.escape(chart.categories[index])): \(value)</title></rect>\n"
                }
            }
        case .lines:
            for (seriesIndex, series) in chart.series.enumerated() {
                let color = Self.palette[seriesIndex % Self.palette.count]
                var path = ""
                var penDown = false
                for (index, value) in series.values.enumerated() {
                    guard let value else {
                        penDown = false
                        continue
                    }
                    let x = left + slot * (Double(index) + 0.5)
                    path += "\(penDown ? "L" : "M")\(f(x)) \(f(y(Self.double(value)))) "
                    penDown = true
                }
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            }
            // A point per value with its exact value on hover, drawn over every line.
            for (seriesIndex, series) in chart.series.enumerated() {
                let color = Self.palette[seriesIndex % Self.palette.count]
                for (index, value) in series.values.enumerated() {
                    guard let value else { continue }
                    let x = left + slot * (Double(index) + 0.5)
                    svg += "<circle cx=\"\(f(x))\" cy=\"\(f(y(Self.double(value))))\" r=\"3\" fill=\"\(color)\"><title>\(Self.escape(series.name)) — \(Self.escape(chart.categories[index])): \(value)</title></circle>\n"
                }
            }
        }
        // Legend, below the category labels; a name too long for its column is cut (full name as tooltip).
        let columnWidth = plotWidth / Double(Self.legendColumns)
        let nameCharacters = Int((columnWidth - 18 - 8) / Self.characterWidth)
        for (index, series) in chart.series.enumerated() {
            let column = Double(index % Self.legendColumns), row = Double(index / Self.legendColumns)
            let x = left + column * columnWidth
            let yPosition = top + plotHeight + labelRoom + 10 + 12 + row * 20
            let name = Self.escape(Self.truncated(series.name, to: nameCharacters))
            svg += "<rect x=\"\(f(x))\" y=\"\(f(yPosition - 10))\" width=\"12\" height=\"12\" fill=\"\(Self.palette[index % Self.palette.count])\"/>\n"
            svg += "<text x=\"\(f(x + 18))\" y=\"\(f(yPosition))\"><title>\(Self.escape(series.name))</title>\(name)</text>\n"
        }
        return svg + "</svg>\n"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }

    /// Axis bounds and a step of 1, 2 or 5 × 10ⁿ giving about five ticks.
    static func niceScale(min low: Double, max high: Double) -> (Double, Double, Double) {
        let span = high - low
        guard span > 0 else { return (low, low + 1, 0.2) }
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return (floor(low / step) * step, ceil(high / step) * step, step)
    }

    /// A y-axis label that fits the 80 px left of the plot: SI-scaled from a thousand up (`1.5k`, `250M`,
    /// `1.8T`), with the decimals the step needs.
    static func tickLabel(_ value: Double, step: Double) -> String {
        let value = abs(value) < step / 1e6 ? 0 : value
        if value == 0 { return "0" }
        let scales: [(Double, String)] = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        if let (factor, suffix) = scales.first(where: { step >= $0.0 / 10 && max(abs(value), step) >= $0.0 }) {
            let scaledStep = step / factor
            let decimals = scaledStep >= 1 ? 0 : min(3, Int(-floor(log10(scaledStep))))
            return String(format: "%.\(decimals)f", value / factor) + suffix
        }
        let decimals = step >= 1 ? 0 : min(6, Int(-floor(log10(step))))
        return String(format: "%.\(decimals)f", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
