import Foundation
import TestSupport

/// A `meterbridge-worker` process (built with the tests) working on a test schema.
final class WorkerProcess: @unchecked Sendable {
    // `process` is only touched from the test that owns it.
    let process = Process()

    /// The directory holding the package's built executables (beside the test bundle).
    static func binDirectory() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["METERBRIDGE_BIN"] {
            return URL(fileURLWithPath: override)
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("meterbridge-worker").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        throw TestDatabaseError(description: "meterbridge-worker is not built; run the tests with scripts/test")
    }

    init(database: TestDatabase, secretKey: String, arguments: [String]) throws {
        process.executableURL = try Self.binDirectory().appendingPathComponent("meterbridge-worker")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(database.schema)"
        environment["METERBRIDGE_SECRET_KEY"] = secretKey
        environment["LOG_LEVEL"] = "error"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func terminate() {
        Foundation.kill(process.processIdentifier, SIGTERM)
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the process to exit on its own and returns its status.
    func exitStatus() async -> Int32 {
        let process = process
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }
}
