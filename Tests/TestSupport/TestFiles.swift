public import Foundation

/// Files the tests write, in one directory per test process that is removed when the process exits, so
/// that runs leave nothing behind in the machine's temporary directory.
public enum TestFiles {
    public static let directory: URL = {
        let url = URL(fileURLWithPath: directoryPath(for: getpid()))
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestFiles.directoryPath(for: getpid())) }
        return url
    }()

    static func directoryPath(for process: Int32) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("meterbridge-tests-\(process)").path
    }

    /// A new path in the directory, ending with `name`.
    public static func url(_ name: String) -> URL { directory.appendingPathComponent("\(UUID().uuidString)-\(name)") }
}
