import ArgumentParser

/// Benchmarks that print what they measured; run them through `scripts/bench`.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterbridge-bench",
        abstract: "MeterBridge benchmarks and the fault suite (use scripts/bench and scripts/test-faults, which start a throwaway Postgres).",
        subcommands: [QueueBenchmark.self, CostImportBenchmark.self, PlannerBenchmark.self, ImportBenchmark.self, FaultSuite.self])
}
