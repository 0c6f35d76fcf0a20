import AsyncHTTPClient
import Foundation
import NIOCore
import TestSupport
import Testing

/// `meterbridge serve` as a process: it prints its URL, serves with a token from a file, and stops
/// cleanly on SIGTERM.
@Suite("meterbridge serve", .timeLimit(.minutes(3)))
struct ServeProcessTests {
    struct Timeout: Error {}

    @Test func servesWithATokenFileAndStopsOnSIGTERM() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let token = "serve-process-token-\(UInt32.random(in: 0...UInt32.max))"
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "console-token-\(UUID().uuidString)")
        try Data((token + "\n").utf8).write(to: tokenFile)
        defer { try? FileManager.default.removeItem(at: tokenFile) }

        let process = Process()
        process.executableURL = try MeterBridgeBinary.directory().appendingPathComponent("meterbridge")
        process.arguments = ["serve", "--port", "0", "--read-only", "--auth-token-file", tokenFile.path]
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(fixture.database.schema)"
        environment["LOG_LEVEL"] = "error"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let (lines, continuation) = AsyncStream<String>.makeStream()
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                continuation.finish()
            } else {
                continuation.yield(String(decoding: data, as: UTF8.self))
            }
        }
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The first line names the URL (a deadline, not a sleep: it returns as soon as the line arrives).
        let announced = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                var text = ""
                for await chunk in lines {
                    text += chunk
                    if text.contains("\n") { return text }
                }
                return text
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw Timeout()
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        let url = try #require(ConsoleSession.capture(#"(http://127\.0\.0\.1:\d+/)"#, in: announced), "\(announced)")
        #expect(announced.contains("(read-only)"))

        var request = HTTPClientRequest(url: url + "metrics")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 22))
        #expect(response.status.code == 200)
        #expect(body.contains("CPU hours") && body.contains("<span>read-only</span>"))
        // Without the token the client is sent to the sign-in form (the shared client follows the redirect).
        let anonymous = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: url + "metrics"), timeout: .seconds(30))
        let signIn = String(buffer: try await anonymous.body.collect(upTo: 1 << 22))
        #expect(anonymous.status.code == 200 && signIn.contains("Access token") && !signIn.contains("CPU hours"))

        process.terminate()
        let status = try await withThrowingTaskGroup(of: Int32.self) { group in
            group.addTask {
                await withCheckedContinuation { (done: CheckedContinuation<Int32, Never>) in
                    DispatchQueue.global().async {
                        process.waitUntilExit()
                        done.resume(returning: process.terminationStatus)
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw Timeout()
            }
            let status = try await group.next()!
            group.cancelAll()
            return status
        }
        out.fileHandleForReading.readabilityHandler = nil
        #expect(status == 0)
    }
}
