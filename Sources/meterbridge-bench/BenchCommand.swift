import ArgumentParser

/// Benchmarks that print what they measured; run them through `scripts/bench`.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterbridge-bench",
        abstract: "MeterBridge benchmarks (use scripts/bench, which starts a throwaway Postgres).",
        subcommands: [QueueBenchmark.self, CostImportBenchmark.self, PlannerBenchmark.self, ImportBenchmark.self])
}
