import ArgumentParser
import MetronomeSandbox

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The flags that shape the synthetic account.
struct AccountOptions: ParsableArguments {
    @Option(help: "Seed of the synthetic account: the same seed and sizes give the same account.")
    var seed: UInt64 = 42

    @Option(help: "Number of customers (archived ones included).")
    var customers: Int = 24

    @Option(help: "Number of billable metrics (with 4 or more, the last one is archived).")
    var billableMetrics: Int = 6

    @Option(help: "Days of history, ending on --end-date.")
    var days: Int = 120

    @Option(help: "Last day of history, YYYY-MM-DD (default: today, UTC). Pin it for reproducible truth.")
    var endDate: String?

    @Flag(
        help: """
            Serve hostile data instead of a realistic account: SQL, a NUL byte, right-to-left text and \
            10,000 characters in customer names, duplicate and empty names, values in the billions of \
            billions, negative and zero usage. The tests and benchmarks use it.
            """)
    var adversarial = false

    func validate() throws {
        guard customers >= 0, customers <= 100_000 else { throw ValidationError("--customers must be 0...100000") }
        guard billableMetrics >= 0, billableMetrics <= 1_000 else {
            throw ValidationError("--billable-metrics must be 0...1000")
        }
        guard days >= 1, days <= 3_650 else { throw ValidationError("--days must be 1...3650") }
        if let endDate, CivilDay(endDate) == nil { throw ValidationError("--end-date must be YYYY-MM-DD") }
    }

    var parameters: AccountParameters {
        let today = CivilDay(containingUnixSeconds: Int64(Date().timeIntervalSince1970.rounded(.down)))
        return AccountParameters(
            seed: seed,
            customerCount: customers,
            billableMetricCount: billableMetrics,
            dayCount: days,
            lastDay: endDate.flatMap { CivilDay($0) } ?? today,
            profile: adversarial ? .adversarial : .realistic
        )
    }
}
