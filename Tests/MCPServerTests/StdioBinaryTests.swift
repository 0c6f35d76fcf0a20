import Foundation
import MCP
import TestSupport
import Testing
import UnitEconomics

extension MCPServerSuites {
    /// The real `meterbridge mcp` binary over stdio, driven by an independent client: the official MCP
    /// Python SDK, which scripts/test installs into `.build-mcp/venv`.
    @Suite("MCP over stdio", .timeLimit(.minutes(10)))
    struct StdioBinaryTests {
        static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()

        static func python() throws -> URL {
            let path =
                ProcessInfo.processInfo.environment["METERBRIDGE_MCP_PYTHON"]
                ?? packageRoot.appendingPathComponent(".build-mcp/venv/bin/python").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestDatabaseError(
                    description:
                        "\(path) is missing: run the tests with scripts/test, which installs the MCP Python SDK")
            }
            return URL(fileURLWithPath: path)
        }

        @Test func thePythonSDKInitializesListsAndCalls() async throws {
            let filled = try await MCPFixture.shared.database()
            let binary = try BinaryProcess.directory().appendingPathComponent("meterbridge")
            let from = filled.period.from.description
            let to = filled.period.to.description
            let run = try BinaryProcess.run(
                try Self.python(),
                [Self.packageRoot.appendingPathComponent("scripts/mcp-stdio-check.py").path, binary.path, from, to],
                environment: BinaryProcess.environment(filled.database), deadlineSeconds: 240)
            #expect(run.status == 0, "\(run.stderr)")
            let seen = try #require(
                try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                "\(run.stdout)\n\(run.stderr)")
            #expect(seen["server_name"] as? String == "meterbridge")
            #expect(seen["protocol_version"] as? String == "2025-11-25")
            #expect((seen["tools"] as? [String]) == MCPToolTests.readTools.sorted(), "read only: no action tools")
            let schemas = try #require(seen["schemas"] as? [String: [String: Any]])
            #expect((schemas["metric_values"]?["required"] as? [String]) == ["title"])

            let metrics = try #require(seen["list_metrics"] as? [String: Any])
            #expect(metrics["is_error"] as? Bool == false)
            let titles = ((metrics["structured"] as? [String: Any])?["metrics"] as? [[String: Any]])?.compactMap {
                $0["title"] as? String
            }
            #expect(titles?.sorted() == ["API requests", "CPU hours", "Peak seats", "Revenue"])

            // The numbers equal the library's report for the same input.
            let top = try #require(seen["top_customers"] as? [String: Any])
            #expect(top["is_error"] as? Bool == false)
            let report = try await Self.report(filled)
            let expected = try JSONSerialization.jsonObject(with: Data(ReportJSON(report).text.utf8)) as? NSDictionary
            #expect((top["structured"] as? NSDictionary) == expected)
            // Imported through today, which is not over: complete through yesterday.
            let through = filled.period.to.advanced(by: -1).description
            #expect((top["text"] as? [String])?.first?.contains("Data complete through \(through)") == true)

            let refused = try #require(seen["refused"] as? [String: Any])
            #expect(refused["is_error"] as? Bool == true)
            #expect((refused["text"] as? [String])?.first?.contains("is before the first day") == true)
        }

        static func report(_ filled: MCPFixture.Filled) async throws -> ReportOutput {
            let pool = filled.database.pool(size: 1)
            do {
                let output = try await UnitEconomicsReports(pool: pool).topCustomers(
                    metric: "CPU hours", period: filled.period)
                await pool.close()
                return output
            } catch {
                await pool.close()
                throw error
            }
        }
    }
}
