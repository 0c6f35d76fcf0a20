import Foundation
import Testing
import Yams

/// Every alert rule's expression, evaluated by Prometheus's own `promtool test rules` against synthetic
/// series: each alert fires when it should and stays quiet when it should not. (`scripts/test` installs
/// Debian's `prometheus` package, which has promtool, when it is missing.)
@Suite("Alert rules", .timeLimit(.minutes(5)))
struct AlertRuleTests {
    static func promtool() -> String? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The rules of the PrometheusRule manifest, as a plain Prometheus rules file.
    static func rulesFile() throws -> (yaml: String, annotations: [String: [String: String]]) {
        let documents = try ManifestTests.documents("deploy/kubernetes/alerts.yaml")
        let spec = try #require(documents.first?["spec"] as? [String: Any])
        let groups = try #require(spec["groups"] as? [[String: Any]])
        var annotations: [String: [String: String]] = [:]
        for group in groups {
            for rule in group["rules"] as? [[String: Any]] ?? [] {
                if let name = rule["alert"] as? String { annotations[name] = rule["annotations"] as? [String: String] ?? [:] }
            }
        }
        return (try Yams.dump(object: ["groups": groups]), annotations)
    }

    @Test func everyAlertFiresWhenItShouldAndOnlyThen() throws {
        let promtool = try #require(Self.promtool(), "promtool is missing: scripts/test installs Debian's prometheus package")
        let (rules, annotations) = try Self.rulesFile()
        #expect(Set(annotations.keys) == [
            "MeterBridgeJobsDiscarded", "MeterBridgeConnectionInvalid", "MeterBridgeQueueNotDraining", "MeterBridgeNoImportForADay",
        ], "every rule has a case below")
        func expected(_ alert: String, severity: String, labels: [String: String] = [:]) -> [String: Any] {
            ["exp_labels": labels.merging(["severity": severity]) { $1 }, "exp_annotations": annotations[alert] ?? [:]]
        }
        func test(_ series: [(String, String)], _ evalTime: String, _ alert: String, _ alerts: [[String: Any]]) -> [String: Any] {
            [
                "interval": "1m",
                "input_series": series.map { ["series": $0.0, "values": $0.1] },
                "alert_rule_test": [["eval_time": evalTime, "alertname": alert, "exp_alerts": alerts]],
            ]
        }
        let tests: [[String: Any]] = [
            // A job discarded in the last hour; none discarded.
            test([("meterbridge_jobs_discarded_total{kind=\"import_usage\"}", "0 0 1 1 1 1")], "5m", "MeterBridgeJobsDiscarded",
                [expected("MeterBridgeJobsDiscarded", severity: "warning", labels: ["kind": "import_usage"])]),
            test([("meterbridge_jobs_discarded_total{kind=\"import_usage\"}", "3x10")], "10m", "MeterBridgeJobsDiscarded", []),
            // A 401; only 200s.
            test([("meterbridge_metronome_requests_total{endpoint=\"GET /v1/customers\",status=\"401\"}", "0 1 2")], "2m",
                "MeterBridgeConnectionInvalid",
                [expected("MeterBridgeConnectionInvalid", severity: "critical", labels: ["endpoint": "GET /v1/customers", "status": "401"])]),
            test([("meterbridge_metronome_requests_total{endpoint=\"GET /v1/customers\",status=\"200\"}", "0+5x20")], "20m",
                "MeterBridgeConnectionInvalid", []),
            // Jobs waiting for over two hours: nothing completes, no worker at all, or work that completes.
            test(
                [("meterbridge_queue_jobs{queue=\"backfill\",state=\"available\"}", "5x200"),
                 ("meterbridge_jobs_completed_total{kind=\"import_usage\"}", "10x200")], "150m", "MeterBridgeQueueNotDraining",
                [expected("MeterBridgeQueueNotDraining", severity: "warning")]),
            test([("meterbridge_queue_jobs{queue=\"backfill\",state=\"available\"}", "5x200")], "150m", "MeterBridgeQueueNotDraining",
                [expected("MeterBridgeQueueNotDraining", severity: "warning")]),
            test(
                [("meterbridge_queue_jobs{queue=\"backfill\",state=\"available\"}", "5x200"),
                 ("meterbridge_jobs_completed_total{kind=\"import_usage\"}", "0+1x200")], "150m", "MeterBridgeQueueNotDraining", []),
            test(
                [("meterbridge_queue_jobs{queue=\"backfill\",state=\"available\"}", "0x200"),
                 ("meterbridge_jobs_completed_total{kind=\"import_usage\"}", "10x200")], "150m", "MeterBridgeQueueNotDraining", []),
            // No page for a day; pages flowing.
            test([("meterbridge_pages_imported_total", "100x1600")], "25h", "MeterBridgeNoImportForADay",
                [expected("MeterBridgeNoImportForADay", severity: "warning")]),
            test([("meterbridge_pages_imported_total", "0+1x1600")], "25h", "MeterBridgeNoImportForADay", []),
        ]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meterbridge-alerts-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try rules.write(to: directory.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        let testFile = directory.appendingPathComponent("tests.yml")
        try Yams.dump(object: ["rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests])
            .write(to: testFile, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["test", "rules", testFile.path]
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }
}
