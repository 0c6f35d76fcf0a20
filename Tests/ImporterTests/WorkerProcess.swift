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

    /// Waits for the process to exit on its own (at most `timeoutSeconds`, then it is killed and the
    /// status is -1) and returns its status. It polls: Foundation's `waitUntilExit` spins a run loop off the
    /// main thread, and a spinning waiter took a whole core from the processes under test.
    func exitStatus(timeoutSeconds: Double = 300) async -> Int32 {
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                Foundation.kill(process.processIdentifier, SIGKILL)
                return -1
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

}
