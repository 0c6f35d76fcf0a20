import Foundation
import TestSupport

/// A `meterbridge-worker` process (built with the tests) working on a test schema.
final class WorkerProcess: @unchecked Sendable {
    // `process` is only touched from the test that owns it.
    let process = Process()

    /// The directory holding the package's built executables (beside the test bundle).
    static func binDirectory() throws -> URL { try BuiltBinary.directory() }

    /// With `logFile`, the process logs at debug level (JSON) into that file.
    init(database: TestDatabase, secretKey: String, arguments: [String], logFile: URL? = nil) throws {
        process.executableURL = try Self.binDirectory().appendingPathComponent("meterbridge-worker")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(database.schema)"
        environment["METERBRIDGE_SECRET_KEY"] = secretKey
        environment["LOG_LEVEL"] = logFile == nil ? "error" : "debug"
        environment["LOG_FORMAT"] = "json"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        if let logFile {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: logFile)
        } else {
            process.standardError = FileHandle.nullDevice
        }
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
