import Foundation
import Testing

/// `--help` as a newcomer reads it: paragraphs wrap to the terminal, not at the source's line breaks,
/// and defaults are spelled the way the values are typed.
@Suite("Help text", .timeLimit(.minutes(2)))
struct HelpTextTests {
    static let commands: [(String, [String])] = [
        ("meterbridge", []), ("meterbridge", ["migrate"]), ("meterbridge", ["connection"]), ("meterbridge", ["metric"]),
        ("meterbridge", ["metric", "create"]), ("meterbridge", ["billable-metrics"]), ("meterbridge", ["jobs"]),
        ("meterbridge", ["queue"]), ("meterbridge", ["reimport"]), ("meterbridge", ["plan"]), ("meterbridge", ["status"]),
        ("meterbridge", ["secrets", "rotate-key"]), ("meterbridge", ["costs", "import"]), ("meterbridge", ["cost-report", "create"]),
        ("meterbridge", ["report"]), ("meterbridge", ["report", "margin"]), ("meterbridge-worker", []), ("meterbridge-planner", []),
    ]

    func help(_ binary: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = try WorkerProcess.binDirectory().appendingPathComponent(binary)
        process.arguments = arguments + ["--help"]
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "1000"  // wide enough that only the text's own line breaks remain
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The prose between the abstract and USAGE, with a line that ends mid-sentence: a line followed by
    /// one that starts in lower case at the same indentation (examples are indented, and skipped).
    static func midSentenceBreaks(in help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let usage = lines.firstIndex(where: { $0.hasPrefix("USAGE:") }) else { return ["no USAGE line"] }
        var breaks: [String] = []
        for index in 0..<max(0, usage - 1) {
            let line = lines[index]
            let next = lines[index + 1]
            guard !line.isEmpty, !line.hasPrefix(" "), !next.hasPrefix(" "), let first = next.first else { continue }
            if first.isLowercase && !line.hasSuffix(":") { breaks.append("\(line) ⏎ \(next)") }
        }
        return breaks
    }

    @Test func paragraphsWrapToTheTerminalNotTheSource() throws {
        for (binary, arguments) in Self.commands {
            let text = try help(binary, arguments)
            #expect(text.contains("USAGE:"), "\(binary) \(arguments)")
            let breaks = Self.midSentenceBreaks(in: text)
            #expect(breaks.isEmpty, "\(binary) \(arguments.joined(separator: " ")):\n\(breaks.joined(separator: "\n"))")
        }
    }

    /// Every command a newcomer reaches for shows examples, and its own options come before the database
    /// options every command shares.
    @Test func helpHasExamplesAndCommonOptionsLast() throws {
        let commands: [(String, [String])] = [
            ("meterbridge", ["report", "top-customers"]), ("meterbridge", ["report", "unit-cost"]), ("meterbridge", ["report", "margin"]),
            ("meterbridge", ["report", "pricing"]), ("meterbridge", ["report", "allocate"]), ("meterbridge", ["report", "portfolio"]),
            ("meterbridge", ["costs", "import"]), ("meterbridge", ["metric", "create"]), ("meterbridge", ["metric", "values"]),
            ("meterbridge", ["cost-report", "edit"]), ("meterbridge-worker", []), ("meterbridge-planner", []),
        ]
        for (binary, arguments) in commands {
            let text = try help(binary, arguments)
            let name = "\(binary) \(arguments.joined(separator: " "))"
            #expect(text.contains("Examples:"), "\(name) has no examples")
            let options = text.split(separator: "\n").filter { $0.hasPrefix("  --") }.map { String($0.split(separator: " ")[0]) }
            if let database = options.firstIndex(of: "--database-url"), binary == "meterbridge" {
                #expect(options[database...].allSatisfy { ["--database-url", "--statement-timeout", "--bulk-statement-timeout", "--version", "--help"].contains($0) },
                    "\(name): \(options)")
            }
        }
    }

    @Test func theDetectorFindsAMidSentenceBreak() {
        #expect(Self.midSentenceBreaks(in: "OVERVIEW: x\n\nNeeds the key the tokens\nwere saved with.\n\nUSAGE: y").count == 1)
        #expect(Self.midSentenceBreaks(in: "OVERVIEW: x\n\nOne sentence.\n\nExamples:\n  meterbridge plan\n\nUSAGE: y").isEmpty)
    }

    @Test func defaultsAreSpelledLikeTheValues() throws {
        let text = try help("meterbridge", ["metric", "create"])
        #expect(text.contains("(default: invoice-total)"), "\(text)")
        #expect(!text.contains("invoice_total"))
    }
}
