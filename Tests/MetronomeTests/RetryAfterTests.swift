import Foundation
import Testing

@testable import Metronome

@Suite("Retry-After parsing")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test("seconds, whole or fractional")
    func seconds() {
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "3", now: now) == .seconds(3))
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: " 1.5 ", now: now) == .milliseconds(1500))
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "0", now: now) == .zero)
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "-1", now: now) == nil)
    }

    @Test("HTTP-dates in all three forms, relative to now, never negative")
    func dates() {
        for text in ["Sun, 06 Nov 1994 08:49:47 GMT", "Sunday, 06-Nov-94 08:49:47 GMT", "Sun Nov  6 08:49:47 1994"] {
            #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: text, now: now) == .seconds(10))
        }
        #expect(
            RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "Sun, 06 Nov 1994 08:00:00 GMT", now: now)
                == .zero)
    }

    @Test("retry-after-ms wins over Retry-After")
    func milliseconds() {
        #expect(RetryAfter.delay(retryAfterMilliseconds: "250", retryAfter: "3", now: now) == .milliseconds(250))
        #expect(RetryAfter.delay(retryAfterMilliseconds: "12.2", retryAfter: nil, now: now) == .milliseconds(13))
        #expect(RetryAfter.delay(retryAfterMilliseconds: "soon", retryAfter: "3", now: now) == .seconds(3))
    }

    @Test("garbage or absence means no server delay")
    func garbage() {
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: nil, now: now) == nil)
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "later", now: now) == nil)
        #expect(
            RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "Sun, 32 Nov 1994 08:49:47 GMT", now: now) == nil)
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "inf", now: now) == nil)
    }
}
