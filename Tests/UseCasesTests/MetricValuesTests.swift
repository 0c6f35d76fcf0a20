import Foundation
import Importer
import Metronome
import Testing
import TestSupport
import UseCases

/// `metric values`, the console's metric page and MCP's `metric_values` read values through one use case.
@Suite("Metric values", .timeLimit(.minutes(2)))
struct MetricValuesTests {
    @Test func valuesByTitleWithinAPeriodAndRefusals() async throws {
        let fixture = try await JobsFixture.make()
        try await fixture.pool.query(
            """
            INSERT INTO metric_values (metric_id, day, customer_id, amount) VALUES
                ($1, '2026-01-01', 'c-1', 1.5), ($1, '2026-01-02', 'c-1', 2.25), ($1, '2026-01-03', 'c-1', 0)
            """, [fixture.cpu.id])
        let use = MetricValues(pool: fixture.pool)
        let (metric, values) = try await use.of(titled: "CPU hours", from: UTCDay("2026-01-02"), to: nil)
        #expect(metric.id == fixture.cpu.id)
        #expect(values.map(\.day.description) == ["2026-01-02", "2026-01-03"])
        #expect(values.map(\.amount) == [Decimal(string: "2.25")!, 0])
        #expect(try await use.of(fixture.cpu, from: nil, to: UTCDay("2026-01-01")).map(\.amount) == [Decimal(string: "1.5")!])
        // The same rows as the store's, which the CSV download and the CLI print.
        #expect(try await use.of(fixture.cpu, from: nil, to: nil) == (try await MetricStore(pool: fixture.pool).values(fixture.cpu)))

        await #expect(throws: UseCaseError.reversedPeriod(from: "2026-01-03", to: "2026-01-01")) {
            _ = try await use.of(fixture.cpu, from: UTCDay("2026-01-03"), to: UTCDay("2026-01-01"))
        }
        do {
            _ = try await use.of(titled: "CPU hour", from: nil, to: nil)
            Issue.record("an unknown title was read")
        } catch let error as UseCaseError {
            #expect(error.message(naming: { "--\($0.rawValue)" }).contains("did you mean"), "\(error)")
        }
        #expect(MetricValues.lastDays(7, through: UTCDay("2026-01-31")!) == (UTCDay("2026-01-25")!, UTCDay("2026-01-31")!))
        await fixture.pool.close()
    }
}
