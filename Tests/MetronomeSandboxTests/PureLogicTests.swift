import Foundation
import Testing

@testable import MetronomeSandbox

@Suite("Sandbox pure logic", .timeLimit(.minutes(5)))
struct PureLogicTests {
    @Test("a token bucket bursts one second's worth, then refills at the rate")
    func tokenBucket() {
        var bucket = TokenBucket(rate: 8, now: 0)
        for _ in 0..<8 { #expect(bucket.take(now: 0) == .granted) }
        #expect(bucket.take(now: 0) == .refused(wait: 0.125))
        #expect(bucket.take(now: 0.125) == .granted)
        #expect(bucket.take(now: 0.125) == .refused(wait: 0.125))
        #expect(bucket.take(now: 100) == .granted, "refills, but never beyond capacity")
        for _ in 0..<7 { #expect(bucket.take(now: 100) == .granted) }
        #expect(bucket.take(now: 100) != .granted)
        var slow = TokenBucket(rate: 0.5, now: 0)
        #expect(slow.take(now: 0) == .granted)
        #expect(slow.take(now: 0) == .refused(wait: 2))
    }

    @Test("timestamps parse every RFC 3339 variant and format in each style")
    func timestamps() throws {
        let midnight = Timestamp(day: CivilDay(year: 2024, month: 1, day: 1)!)
        for text in [
            "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00+00:00",
            "2024-01-01T01:00:00+01:00",
        ] {
            #expect(Timestamp.parse(text) == midnight)
        }
        #expect(Timestamp.parse("2024-01-01T00:00:00.5Z")?.isMidnightUTC == false)
        #expect(Timestamp.parse("2024-01-01T00:00:00") == nil)
        #expect(
            TimestampStyle.allCases.map { midnight.formatted($0) } == [
                "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00.000000Z", "2024-01-01T01:00:00+01:00",
            ]
        )
        for style in TimestampStyle.allCases { #expect(Timestamp.parse(midnight.formatted(style)) == midnight) }
        #expect(HTTPDateFormat.format(unixSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test("cursors are bound to their query")
    func cursors() {
        let cursor = PageCursor(queryHash: 0xABCDEF, position: 42, hop: 1)
        #expect(PageCursor.decode(cursor.encoded, expectedHash: 0xABCDEF) == cursor)
        #expect(PageCursor.decode(cursor.encoded, expectedHash: 0xABCDEE) == nil)
        #expect(PageCursor.decode("not a cursor", expectedHash: 0xABCDEF) == nil)
        #expect(!cursor.encoded.contains("="))
    }

    @Test("JSON strings are escaped")
    func escaping() {
        #expect(JSONWriter.quoted("a\"b\\c\nd\u{01}é") == "\"a\\\"b\\\\c\\nd\\u0001é\"")
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("a", "x")
        writer.key("b")
        writer.beginArray()
        writer.raw("1")
        writer.null()
        writer.endArray()
        writer.endObject()
        #expect(String(buffer: writer.buffer) == "{\"a\":\"x\",\"b\":[1,null]}")
    }
}
