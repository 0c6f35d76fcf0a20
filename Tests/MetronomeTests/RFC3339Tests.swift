import Foundation
import Testing

@testable import Metronome

@Suite("RFC 3339 parsing", .timeLimit(.minutes(5)))
struct RFC3339Tests {
    static let midnight = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01T00:00:00Z

    @Test(
        "every variant seen in the wild is the same instant",
        arguments: [
            "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00+00:00",
            "2024-01-01T00:00:00.0Z", "2024-01-01T00:00:00.000000Z", "2024-01-01T00:00:00.000000000Z",
            "2024-01-01T00:00:00.0000000000Z", "2024-01-01t00:00:00z", "2024-01-01 00:00:00Z",
            "2024-01-01T01:00:00+01:00", "2023-12-31T19:00:00-05:00", "2024-01-01T00:00:00-00:00",
        ]
    )
    func variants(text: String) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(date == Self.midnight)
    }

    @Test("fractional seconds keep their value")
    func fractions() throws {
        let date = try #require(RFC3339.parse("2019-12-27T18:11:19.117Z"))
        #expect(abs(date.timeIntervalSince1970 - 1_577_470_279.117) < 0.000_01)
        let nanos = try #require(RFC3339.parse("2019-12-27T18:11:19.000001Z"))
        #expect(nanos > Date(timeIntervalSince1970: 1_577_470_279))
    }

    @Test(
        "malformed timestamps are refused",
        arguments: [
            "", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+0100", "2024-01-01T00:00:00Zjunk",
            "24-01-01T00:00:00Z", "2024-01-01T00:00Z",
        ]
    )
    func malformed(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("formatting is UTC with whole seconds")
    func formatting() {
        #expect(RFC3339.format(Self.midnight) == "2024-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_577_470_279.9)) == "2019-12-27T18:11:19Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }
}
