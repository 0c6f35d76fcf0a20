import ArgumentParser
import MetronomeSandbox
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `metronome-sandbox truth`: the expected import, without starting a server.
struct TruthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "truth",
        abstract: "Print the ground truth of the synthetic account (what a correct import stores).",
        discussion: """
            One row per (kind, billable metric or credit type, revenue basis, customer, UTC day), \
            in MeterBridge's units (USD in dollars). Same account flags as the server; pass the same \
            --end-date to both to compare.
            """
    )

    @OptionGroup(title: "Account") var account: AccountOptions

    @Option(help: "usage or revenue (default: both).")
    var kind: String?

    @Option(help: "invoice_total or gross_usage (revenue only).")
    var basis: String?

    @Option(help: "Only this customer id.")
    var customerID: String?

    @Option(help: "Only this billable metric id.")
    var billableMetricID: String?

    @Option(help: "Only this credit type id.")
    var creditTypeID: String?

    @Option(help: "First day, YYYY-MM-DD, inclusive.")
    var from: String?

    @Option(help: "Last day, YYYY-MM-DD, inclusive.")
    var to: String?

    @Option(help: "json or csv.")
    var format: String = "json"

    func validate() throws {
        if let kind, TruthKind(rawValue: kind) == nil { throw ValidationError("--kind must be usage or revenue") }
        if let basis, RevenueBasis(rawValue: basis) == nil {
            throw ValidationError("--basis must be invoice_total or gross_usage")
        }
        if let from, CivilDay(from) == nil { throw ValidationError("--from must be YYYY-MM-DD") }
        if let to, CivilDay(to) == nil { throw ValidationError("--to must be YYYY-MM-DD") }
        guard format == "json" || format == "csv" else { throw ValidationError("--format must be json or csv") }
    }

    func run() throws {
        let filter = TruthFilter(
            kind: kind.flatMap(TruthKind.init(rawValue:)),
            billableMetricID: billableMetricID,
            creditTypeID: creditTypeID,
            basis: basis.flatMap(RevenueBasis.init(rawValue:)),
            customerID: customerID,
            fromDay: from.flatMap { CivilDay($0) },
            toDay: to.flatMap { CivilDay($0) }
        )
        // Streamed: a large account's truth does not fit in memory.
        let rows = TruthRows(account: AccountGenerator.generate(account.parameters), filter: filter)
        let outputFormat = TruthRendering.Format(rawValue: format) ?? .json
        try TruthRendering.forEachChunk(of: rows, outputFormat, Self.writeToStandardOutput)
        if outputFormat == .json { try Self.writeToStandardOutput(ByteBuffer(string: "\n")) }
    }

    /// Writes a chunk to file descriptor 1 as soon as it is rendered.
    static func writeToStandardOutput(_ chunk: ByteBuffer) throws {
        try chunk.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ExitCode.failure
                }
                offset += written
            }
        }
    }
}
