import Foundation
import TestSupport
import Testing

extension MCPServerSuites {
    /// `meterbridge mcp --http-port 0`: the streamable HTTP transport on loopback behind a bearer token,
    /// driven by the official MCP Python SDK; SIGTERM stops it cleanly.
    @Suite("MCP over HTTP", .timeLimit(.minutes(10)))
    struct HTTPBinaryTests {
        @Test func thePythonSDKConnectsWithTheTokenOnly() async throws {
            let filled = try await MCPFixture.shared.database()
            let token = String(repeating: "t0k3n", count: 8)
            var environment = BinaryProcess.environment(filled.database)
            environment["METERBRIDGE_MCP_TOKEN"] = token
            let server = Process()
            server.executableURL = try BinaryProcess.directory().appendingPathComponent("meterbridge")
            server.arguments = ["mcp", "--http-port", "0"]
            server.environment = environment
            let stderr = Pipe()
            server.standardError = stderr
            server.standardOutput = FileHandle.nullDevice
            server.standardInput = FileHandle.nullDevice
            try server.run()
            defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }

            // The port, from the line the server prints once it listens (or nothing, when it exits first).
            let lines = LineReader(stderr.fileHandleForReading)
            let url = await lines.first(within: .seconds(60)) { line in
                line.range(of: "listening on ").map { String(line[$0.upperBound...]) }
            }
            let address = try #require(url, "the server said where it listens:\n\(lines.text)")
            #expect(address.hasPrefix("http://127.0.0.1:") && address.hasSuffix("/mcp"))

            let run = try BinaryProcess.run(
                try StdioBinaryTests.python(),
                [
                    StdioBinaryTests.packageRoot.appendingPathComponent("scripts/mcp-http-check.py").path, address,
                    token,
                ],
                environment: ProcessInfo.processInfo.environment, deadlineSeconds: 240)
            #expect(run.status == 0, "\(run.stderr)")
            let seen = try #require(
                try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                "\(run.stdout)\n\(run.stderr)")
            #expect(seen["unauthorized_status"] as? Int == 401)
            #expect(seen["server_name"] as? String == "meterbridge")
            #expect((seen["tools"] as? [String]) == MCPToolTests.readTools.sorted())
            let metrics = try #require(seen["list_metrics"] as? [String: Any])
            #expect(metrics["is_error"] as? Bool == false)
            #expect((((metrics["structured"] as? [String: Any])?["metrics"]) as? [Any])?.count == 4)

            kill(server.processIdentifier, SIGTERM)
            let status = await Self.exitStatus(server, within: .seconds(60))
            #expect(status == 0, "exits cleanly on SIGTERM:\n\(lines.text)")
        }

        /// Without a token (or with a short one) it refuses to start, and says why.
        @Test func httpNeedsALongBearerToken() async throws {
            let filled = try await MCPFixture.shared.database()
            var environment = BinaryProcess.environment(filled.database)
            environment["METERBRIDGE_MCP_TOKEN"] = nil
            let meterbridge = try BinaryProcess.directory().appendingPathComponent("meterbridge")
            let missing = try BinaryProcess.run(meterbridge, ["mcp", "--http-port", "0"], environment: environment)
            #expect(
                missing.status != 0 && missing.stderr.contains("bearer token of at least 32 characters"),
                "\(missing.stderr)")
            environment["METERBRIDGE_MCP_TOKEN"] = "short"
            let short = try BinaryProcess.run(meterbridge, ["mcp", "--http-port", "0"], environment: environment)
            #expect(
                short.status != 0 && short.stderr.contains("bearer token of at least 32 characters"), "\(short.stderr)")
        }

        static func exitStatus(_ process: Process, within limit: Duration) async -> Int32? {
            await withCheckedContinuation { continuation in
                let once = Once(continuation)
                DispatchQueue.global().async {
                    process.waitUntilExit()
                    once.resume(process.terminationStatus)
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + Double(limit.components.seconds)) {
                    once.resume(nil)
                }
            }
        }
    }
}

/// Resumes a continuation once, whichever comes first.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Int32?, Never>?
    init(_ continuation: CheckedContinuation<Int32?, Never>) { self.continuation = continuation }
    func resume(_ value: Int32?) {
        let pending = lock.withLock { () -> CheckedContinuation<Int32?, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume(returning: value)
    }
}

/// What a child process writes to a pipe, with a wait for the first line that matches.
final class LineReader: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    private var finished = false
    private var waiter: (predicate: @Sendable (String) -> String?, continuation: CheckedContinuation<String?, Never>)?

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.append(data)
        }
    }

    var text: String { lock.withLock { buffer } }

    private func match(_ predicate: (String) -> String?) -> String? {
        for line in buffer.split(separator: "\n") {
            if let found = predicate(String(line)) { return found }
        }
        return nil
    }

    private func append(_ data: Data) {
        let ready: (CheckedContinuation<String?, Never>, String?)? = lock.withLock {
            if data.isEmpty { finished = true } else { buffer += String(decoding: data, as: UTF8.self) }
            guard let waiter else { return nil }
            let found = match(waiter.predicate)
            guard found != nil || finished else { return nil }
            self.waiter = nil
            return (waiter.continuation, found)
        }
        if let (continuation, value) = ready { continuation.resume(returning: value) }
    }

    /// What `predicate` returns for the first line it accepts; nil at the end of the output or after `limit`.
    func first(within limit: Duration, _ predicate: @escaping @Sendable (String) -> String?) async -> String? {
        await withCheckedContinuation { continuation in
            let immediate: String?? = lock.withLock {
                if let found = match(predicate) { return .some(found) }
                if finished { return .some(nil) }
                waiter = (predicate, continuation)
                return nil
            }
            if let immediate {
                continuation.resume(returning: immediate)
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(limit.components.seconds)) { [weak self] in
                let expired = self?.lock.withLock { () -> CheckedContinuation<String?, Never>? in
                    defer { self?.waiter = nil }
                    return self?.waiter?.continuation
                }
                expired?.resume(returning: nil)
            }
        }
    }
}
