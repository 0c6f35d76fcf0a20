import Foundation
import TestSupport

/// The package's built executables (beside the test bundle), run on a test schema.
enum BinaryProcess {
    static func directory() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["METERBRIDGE_BIN"] {
            return URL(fileURLWithPath: override)
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("meterbridge").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        throw TestDatabaseError(description: "meterbridge is not built; run the tests with scripts/test")
    }

    /// The environment that points a process at the test schema.
    static func environment(_ database: TestDatabase) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(database.schema)"
        environment["LOG_LEVEL"] = "error"
        return environment
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` to its end. Output is read to EOF before waiting, so a full pipe cannot stall it.
    /// A process still running after `deadlineSeconds` is killed (and the test sees its failure).
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String], deadlineSeconds: Double = 120
    ) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadlineSeconds, execute: watchdog)
        defer { watchdog.cancel() }
        let stderrData = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderrData.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderrData.get(), as: UTF8.self))
    }

    static func meterbridge(_ arguments: [String], database: TestDatabase) throws -> Run {
        try run(try directory().appendingPathComponent("meterbridge"), arguments, environment: environment(database))
    }
}

/// Bytes handed from a reader thread to the test.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
