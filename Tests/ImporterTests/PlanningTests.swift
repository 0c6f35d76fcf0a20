import Foundation
import Importer
import Metronome
import Testing

@Suite("Window planning")
struct PlanningTests {
    let today = UTCDay("2026-11-26")!

    func range(_ start: String, _ end: String) -> DayRange { DayRange(start: UTCDay(start)!, end: UTCDay(end)!) }

    @Test func daySetMergesAndFindsGaps() {
        var set = DaySet([range("2026-01-01", "2026-01-05"), range("2026-01-10", "2026-01-12")])
        set.insert(range("2026-01-05", "2026-01-07"))  // adjacent: merges
        #expect(set.ranges == [range("2026-01-01", "2026-01-07"), range("2026-01-10", "2026-01-12")])
        #expect(set.missing(in: range("2025-12-30", "2026-01-15")) == [
            range("2025-12-30", "2026-01-01"), range("2026-01-07", "2026-01-10"), range("2026-01-12", "2026-01-15"),
        ])
        #expect(set.completeThrough(from: UTCDay("2026-01-01")!) == UTCDay("2026-01-06"))
        #expect(set.completeThrough(from: UTCDay("2025-12-31")!) == nil)
    }

    @Test func backfillOnAGridUpToTheSyncWindow() {
        let planner = WindowPlanner(windowDays: 200, lookbackDays: 35)
        let since = UTCDay("2025-01-01")!
        let sync = planner.syncWindow(today: today, since: since)!
        #expect(sync == range("2026-10-23", "2026-11-27"))
        #expect(sync.days == 35)
        let windows = planner.backfillWindows(today: today, since: since, covered: DaySet())
        #expect(windows == [
            range("2025-01-01", "2025-07-20"), range("2025-07-20", "2026-02-05"), range("2026-02-05", "2026-08-24"),
            range("2026-08-24", "2026-10-23"),
        ])
        #expect(windows.allSatisfy { $0.days <= 200 })
        // Covered days are not planned again; a gap inside one grid cell is planned alone.
        let covered = DaySet([range("2025-01-01", "2025-07-20"), range("2025-07-20", "2025-12-01")])
        #expect(planner.backfillWindows(today: today, since: since, covered: covered) == [
            range("2025-12-01", "2026-02-05"), range("2026-02-05", "2026-08-24"), range("2026-08-24", "2026-10-23"),
        ])
    }

    @Test func recentSinceNeedsOnlyTheSyncWindow() {
        let planner = WindowPlanner(windowDays: 175, lookbackDays: 35)
        let since = UTCDay("2026-11-20")!
        #expect(planner.syncWindow(today: today, since: since) == range("2026-11-20", "2026-11-27"))
        #expect(planner.backfillWindows(today: today, since: since, covered: DaySet()).isEmpty)
    }

    @Test func dayRangeCodesAsDates() throws {
        let window = range("2026-01-01", "2026-02-01")
        let json = String(decoding: try JSONEncoder().encode(window), as: UTF8.self)
        #expect(json.contains("\"2026-01-01\"") && json.contains("\"2026-02-01\""))
        #expect(try JSONDecoder().decode(DayRange.self, from: Data(json.utf8)) == window)
    }
}

@Suite("Token encryption")
struct TokenCipherTests {
    let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    @Test func sealsAndOpens() throws {
        let cipher = try TokenCipher(base64Key: key)
        let sealed = try cipher.seal("secret-token-123")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("secret-token-123"))
        #expect(try cipher.open(sealed) == "secret-token-123")
        #expect(try cipher.seal("secret-token-123") != sealed, "a fresh nonce every time")
    }

    @Test func wrongKeyAndBadKeysFailClearly() throws {
        let sealed = try TokenCipher(base64Key: key).seal("secret")
        let other = try TokenCipher(base64Key: Data(repeating: 7, count: 32).base64EncodedString())
        #expect(throws: TokenCipher.KeyError.self) { try other.open(sealed) }
        #expect(throws: TokenCipher.KeyError.self) { try TokenCipher(base64Key: "c2hvcnQ=") }
        let missing = #expect(throws: TokenCipher.KeyError.self) { try TokenCipher.fromEnvironment([:]) }
        #expect(missing?.description.contains("head -c 32 /dev/urandom | base64") == true)
    }
}
