import Foundation
import PropertyBased
import Testing

@testable import Metronome

@Suite("Retry-After parsing", .timeLimit(.minutes(5)))
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

    /// These trapped: `Int64(1e19)` and `Duration.seconds(1e21)` overflow. A hint over an hour counts as none.
    @Test("huge or far-off hints count as no hint, never a trap")
    func hugeHints() {
        #expect(RetryAfter.delay(retryAfterMilliseconds: "1e19", retryAfter: nil, now: now) == nil)
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "1e21", now: now) == nil)
        #expect(RetryAfter.delay(retryAfterMilliseconds: "1e400", retryAfter: "9e307", now: now) == nil)
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "3601", now: now) == nil)
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "3600", now: now) == .seconds(3600))
        #expect(RetryAfter.delay(retryAfterMilliseconds: "3600000", retryAfter: nil, now: now) == .seconds(3600))
        #expect(RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: "Fri, 31 Dec 9999 23:59:59 GMT", now: now) == nil)
    }

    /// Any header text in, an answer out: strings built from the characters that matter to the parsers.
    @Test("property: any header text, never a trap, never negative or over an hour")
    func anyText() async {
        let alphabet = Array("0123456789.eE+-, :GMTSunNovDec infnax\t\u{0}é😀")
        let indices = Gen.int(in: 0...alphabet.count - 1).array(of: 0...24)
        await propertyCheck(count: 5_000, input: indices, indices) { firstIndices, secondIndices in
            let first = String(firstIndices.map { alphabet[$0] })
            let second = String(secondIndices.map { alphabet[$0] })
            for delay in [
                RetryAfter.delay(retryAfterMilliseconds: first, retryAfter: nil, now: now),
                RetryAfter.delay(retryAfterMilliseconds: nil, retryAfter: first, now: now),
                RetryAfter.delay(retryAfterMilliseconds: second, retryAfter: first, now: now),
            ] {
                if let delay { #expect(delay >= .zero && delay <= .seconds(3600)) }
            }
        }
    }
}
