public import Foundation

/// The package's executables, built beside the test bundle, and a way to run one to its end.
public enum BuiltBinary {
    /// The directory holding `meterbridge`, `meterbridge-worker`, … (`METERBRIDGE_BIN` overrides it).
    public static func directory() throws -> URL {
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
        throw TestDatabaseError(description: "the executables are not built; run the tests with scripts/test")
    }

    /// One of the executables.
    public static func url(_ name: String) throws -> URL { try directory().appendingPathComponent(name) }

    public struct Run: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` to its end. Both pipes are read at once, so a full one cannot stall it; a process
    /// still running after `deadlineSeconds` is killed (and the test sees its failure).
    public static func run(
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

    /// The environment that points a process at `schema` (and keeps its logs to errors).
    public static func environment(schema: String?, extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let schema { environment["PGOPTIONS"] = "-c search_path=\(schema)" }
        environment["LOG_LEVEL"] = "error"
        environment.merge(extra) { $1 }
        return environment
    }
}

/// Bytes handed from a reader thread to the test.
public final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    public init() {}
    public func set(_ value: Data) { lock.withLock { data = value } }
    public func get() -> Data { lock.withLock { data } }
}
