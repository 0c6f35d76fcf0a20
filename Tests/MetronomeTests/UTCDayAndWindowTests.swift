import Foundation
import Testing

@testable import Metronome

@Suite("UTC days and day windows", .timeLimit(.minutes(5)))
struct UTCDayAndWindowTests {
    @Test("days round-trip through text and dates")
    func days() throws {
        let day = try #require(UTCDay("2024-02-29"))
        #expect(day.description == "2024-02-29")
        #expect(day.adding(days: 1).description == "2024-03-01")
        #expect(UTCDay(containing: day.start.addingTimeInterval(86_399)) == day)
        #expect(UTCDay(containing: Date(timeIntervalSince1970: -1)).description == "1969-12-31")
        #expect(UTCDay("2023-02-29") == nil)
        #expect(UTCDay("2024-1-01") == nil)
    }

    /// The one day type also serves reports and cost: months, strides, Postgres microseconds and substrings.
    @Test("months, strides, microseconds and substrings")
    func calendarArithmetic() throws {
        let day = try #require(UTCDay("2024-12-15"))
        #expect(day.firstOfMonth.description == "2024-12-01" && day.firstOfNextMonth.description == "2025-01-01")
        #expect(try #require(UTCDay("2024-02-29")).firstOfNextMonth.description == "2024-03-01")
        #expect(day.distance(to: day.advanced(by: 20)) == 20)
        #expect(Array(stride(from: day, through: day.adding(days: 2), by: 1)).map(\.description) == ["2024-12-15", "2024-12-16", "2024-12-17"])
        #expect(UTCDay(containingMicroseconds: -1).description == "1969-12-31")
        #expect(UTCDay(containingMicroseconds: 86_400_000_000).description == "1970-01-02")
        #expect(UTCDay("x2024-12-15x".dropFirst().dropLast()) == day)
    }

    @Test("a window needs midnight bounds at least one day apart")
    func validation() throws {
        let start = try #require(UTCDay("2024-01-01")).start
        #expect(throws: DayWindowError.notMidnightUTC(bound: "starting_on")) {
            try DayWindow(
                startingOn: start.addingTimeInterval(3600), endingBefore: start.addingTimeInterval(86_400 * 2))
        }
        #expect(throws: DayWindowError.notMidnightUTC(bound: "ending_before")) {
            try DayWindow(startingOn: start, endingBefore: start.addingTimeInterval(86_400 + 0.5))
        }
        #expect(throws: DayWindowError.shorterThanOneDay) {
            try DayWindow(startingOn: start, endingBefore: start)
        }
        #expect(throws: DayWindowError.shorterThanOneDay) {
            try DayWindow(startingOn: start.addingTimeInterval(86_400), endingBefore: start)
        }
        let window = try DayWindow(startingOn: start, endingBefore: start.addingTimeInterval(86_400))
        #expect(window.dayCount == 1)
        #expect(window.description == "[2024-01-01, 2024-01-02)")
    }

    @Test("splitting keeps every day exactly once")
    func split() throws {
        let window = try DayWindow(from: #require(UTCDay("2024-01-01")), through: #require(UTCDay("2024-03-10")))
        let parts = window.split(maxDays: 35)
        #expect(parts.map(\.dayCount) == [35, 35])
        #expect(parts.first?.firstDay == window.firstDay)
        #expect(parts.last?.endDay == window.endDay)
        #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.endDay == $1.firstDay })
    }

    @Test("a usage query encodes midnight bounds and no limit")
    func usageQueryBody() throws {
        let window = try DayWindow(from: #require(UTCDay("2021-01-01")), through: #require(UTCDay("2021-01-02")))
        let query = UsageQuery(window: window, customerIDs: ["c"], billableMetrics: [.init(id: "m")])
        let body = String(decoding: try MetronomeJSON.makeEncoder().encode(query), as: UTF8.self)
        #expect(
            body
                == #"{"billable_metrics":[{"id":"m"}],"customer_ids":["c"],"ending_before":"2021-01-03T00:00:00Z","#
                + #""starting_on":"2021-01-01T00:00:00Z","window_size":"DAY"}"#
        )
    }
}
