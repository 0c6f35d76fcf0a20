import Foundation
import Postgres
import Testing
import TestSupport
import Yams

/// What can be checked here without a cluster: the manifests parse and agree with each other and with
/// the binaries (image, ports, probes, env, secrets), and the KEDA query runs against our schema.
@Suite("Deployment manifests", .timeLimit(.minutes(5)))
struct ManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func documents(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        return try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    static func container(_ document: [String: Any]) throws -> [String: Any] {
        let spec = try #require((document["spec"] as? [String: Any]))
        let template = try #require(spec["template"] as? [String: Any])
        let podSpec = try #require(template["spec"] as? [String: Any])
        return try #require((podSpec["containers"] as? [[String: Any]])?.first)
    }

    @Test(arguments: [
        "deploy/kubernetes/secrets.yaml", "deploy/kubernetes/migrate-job.yaml", "deploy/kubernetes/planner.yaml",
        "deploy/kubernetes/worker.yaml", "deploy/kubernetes/keda-scaledobject.yaml", "deploy/kubernetes/alerts.yaml",
        "deploy/kubernetes/network-policy.yaml",
    ])
    func everyManifestParsesAndNamesItsKind(_ path: String) throws {
        let documents = try Self.documents(path)
        #expect(!documents.isEmpty)
        for document in documents {
            #expect(document["apiVersion"] is String, "\(path)")
            #expect(document["kind"] is String, "\(path)")
        }
    }

    @Test func deploymentsAgreeWithTheBinaries() throws {
        let image = try #require(
            (try Self.container(try Self.documents("deploy/kubernetes/migrate-job.yaml")[0]))["image"] as? String)
        var secrets: [String: Set<String>] = [:]
        for secret in try Self.documents("deploy/kubernetes/secrets.yaml") {
            let name = try #require((secret["metadata"] as? [String: Any])?["name"] as? String)
            secrets[name] = Set(try #require(secret["stringData"] as? [String: Any]).keys)
        }
        #expect(secrets == [
            "meterbridge-database": ["DATABASE_URL"], "meterbridge-secret-key": ["METERBRIDGE_SECRET_KEY"], "meterbridge-ca": ["ca.crt"],
        ])

        for (path, binary) in [
            ("deploy/kubernetes/worker.yaml", "/usr/local/bin/meterbridge-worker"),
            ("deploy/kubernetes/planner.yaml", "/usr/local/bin/meterbridge-planner"),
        ] {
            let document = try Self.documents(path)[0]
            #expect(document["kind"] as? String == "Deployment")
            let container = try Self.container(document)
            #expect(container["image"] as? String == image, "\(path) uses the same image")
            #expect((container["command"] as? [String]) == [binary])
            let args = try #require(container["args"] as? [String])
            let hostIndex = try #require(args.firstIndex(of: "--http-host"), "the endpoints bind loopback unless told")
            #expect(args[hostIndex + 1] == "0.0.0.0")
            let portIndex = try #require(args.firstIndex(of: "--http-port"))
            let port = Int(args[portIndex + 1])
            let ports = try #require(container["ports"] as? [[String: Any]])
            #expect(ports.contains { $0["name"] as? String == "http" && $0["containerPort"] as? Int == port })
            let liveness = try #require((container["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])
            let readiness = try #require((container["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])
            #expect(liveness["path"] as? String == "/healthz" && liveness["port"] as? String == "http")
            #expect(readiness["path"] as? String == "/readyz" && readiness["port"] as? String == "http")
            let envFrom = try #require(container["envFrom"] as? [[String: Any]])
            let used = Set(envFrom.compactMap { ($0["secretRef"] as? [String: Any])?["name"] as? String })
            // The token key only where tokens are decrypted.
            #expect(used == (binary.hasSuffix("worker") ? ["meterbridge-database", "meterbridge-secret-key"] : ["meterbridge-database"]))
            let template = try #require((document["spec"] as? [String: Any])?["template"] as? [String: Any])
            let annotations = try #require((template["metadata"] as? [String: Any])?["annotations"] as? [String: Any])
            #expect(annotations["prometheus.io/port"] as? String == port.map(String.init))
            if let graceIndex = args.firstIndex(of: "--shutdown-grace"), let grace = Int(args[graceIndex + 1]) {
                let podSpec = try #require(template["spec"] as? [String: Any])
                let termination = try #require(podSpec["terminationGracePeriodSeconds"] as? Int)
                #expect(termination > grace, "Kubernetes must wait longer than the drain")
            }
        }
    }

    /// Every pod: no privilege escalation, read-only root, no capabilities, the runtime's seccomp profile,
    /// no service-account token, resource limits, and the CA mounted where DATABASE_URL expects it.
    @Test(arguments: ["deploy/kubernetes/worker.yaml", "deploy/kubernetes/planner.yaml", "deploy/kubernetes/migrate-job.yaml"])
    func everyPodIsHardened(_ path: String) throws {
        let document = try Self.documents(path)[0]
        let template = try #require((document["spec"] as? [String: Any])?["template"] as? [String: Any])
        let podSpec = try #require(template["spec"] as? [String: Any])
        #expect(podSpec["automountServiceAccountToken"] as? Bool == false)
        let podSecurity = try #require(podSpec["securityContext"] as? [String: Any])
        #expect(podSecurity["runAsNonRoot"] as? Bool == true)
        #expect((podSecurity["seccompProfile"] as? [String: Any])?["type"] as? String == "RuntimeDefault")
        let container = try Self.container(document)
        let security = try #require(container["securityContext"] as? [String: Any])
        #expect(security["allowPrivilegeEscalation"] as? Bool == false)
        #expect(security["readOnlyRootFilesystem"] as? Bool == true)
        #expect((security["capabilities"] as? [String: Any])?["drop"] as? [String] == ["ALL"])
        let limits = try #require((container["resources"] as? [String: Any])?["limits"] as? [String: Any])
        #expect(limits["memory"] != nil)
        let mounts = try #require(container["volumeMounts"] as? [[String: Any]])
        let url = try #require(
            (try Self.documents("deploy/kubernetes/secrets.yaml").first?["stringData"] as? [String: Any])?["DATABASE_URL"] as? String)
        let caMount = try #require(mounts.first { $0["name"] as? String == "ca" })
        #expect(url.contains("sslrootcert=\(caMount["mountPath"] as? String ?? "?")/ca.crt"))
        let volumes = try #require(podSpec["volumes"] as? [[String: Any]])
        #expect(volumes.contains { ($0["secret"] as? [String: Any])?["secretName"] as? String == "meterbridge-ca" })
    }

    @Test func kedaQueryRunsAgainstTheSchema() async throws {
        let documents = try Self.documents("deploy/kubernetes/keda-scaledobject.yaml")
        let scaled = try #require(documents.first { $0["kind"] as? String == "ScaledObject" })
        let triggers = try #require((scaled["spec"] as? [String: Any])?["triggers"] as? [[String: Any]])
        let metadata = try #require(triggers.first?["metadata"] as? [String: Any])
        #expect(triggers.first?["type"] as? String == "postgresql")
        let query = try #require(metadata["query"] as? String)
        let connection = try await TestDatabase.make().connect()
        try await connection.query("INSERT INTO jobs (kind) VALUES ('import_usage'), ('import_usage')")
        #expect(try await connection.query(query).single().decode(Int.self, at: 0) == 2)
        await connection.close()
    }

    @Test func dockerfileBuildsTheBinariesAndRunsAsNonRoot() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("deploy/Dockerfile"), encoding: .utf8)
        let stages = Dockerfile.stages(text)
        #expect(stages.count == 2)
        let build = try #require(stages.first)
        let runtime = try #require(stages.last)
        let buildCommands = build.filter { $0.keyword == "RUN" }.map(\.arguments).joined(separator: " ")
        for binary in ["meterbridge", "meterbridge-worker", "meterbridge-planner"] {
            #expect(buildCommands.contains("--product \(binary) "), "\(binary)")
        }
        let runtimeCommands = runtime.filter { $0.keyword == "RUN" }.map(\.arguments).joined(separator: " ")
        #expect(runtimeCommands.contains("apt-get install") && runtimeCommands.contains(" libpq5 "))
        #expect(Dockerfile.user(of: runtime) == "10001")
        #expect(runtime.last { $0.keyword == "ENTRYPOINT" }?.arguments == #"["/usr/local/bin/meterbridge-worker"]"#)
    }

    /// The checks read instructions, not text: a commented-out or root USER, or none, is caught.
    @Test func dockerfileParsingSeesThroughCommentsAndContinuations() {
        let base = "FROM debian:bookworm-slim\nRUN apt-get update \\\n    && apt-get install -y libpq5 \\\n    && true\n"
        #expect(Dockerfile.user(of: Dockerfile.stages(base + "USER 10001\n").last!) == "10001")
        #expect(Dockerfile.user(of: Dockerfile.stages(base + "# USER 10001\n").last!) == nil)
        #expect(Dockerfile.user(of: Dockerfile.stages(base + "  #USER 10001\n").last!) == nil)
        #expect(Dockerfile.user(of: Dockerfile.stages(base + "USER root\n").last!) == nil)
        #expect(Dockerfile.user(of: Dockerfile.stages(base + "USER 0:0\n").last!) == nil)
        #expect(Dockerfile.user(of: Dockerfile.stages("FROM a AS build\nUSER 10001\nFROM b\n").last!) == nil, "USER of another stage")
        let run = Dockerfile.stages(base).last!.first { $0.keyword == "RUN" }
        #expect(run?.arguments == "apt-get update && apt-get install -y libpq5 && true")
    }
}

/// Dockerfile instructions: continuation lines joined, comments and blank lines dropped, stages split at FROM.
enum Dockerfile {
    struct Instruction: Equatable {
        var keyword: String
        var arguments: String
    }

    static func instructions(_ text: String) -> [Instruction] {
        var result: [Instruction] = []
        var pending = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || (line.isEmpty && pending.isEmpty) { continue }
            if line.hasSuffix("\\") {
                pending += line.dropLast().trimmingCharacters(in: .whitespaces) + " "
                continue
            }
            let full = (pending + line).trimmingCharacters(in: .whitespaces)
            pending = ""
            guard !full.isEmpty else { continue }
            let keyword = full.prefix { !$0.isWhitespace }
            result.append(
                Instruction(
                    keyword: keyword.uppercased(),
                    arguments: full.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)))
        }
        return result
    }

    /// The instructions of each stage, FROM first.
    static func stages(_ text: String) -> [[Instruction]] {
        var stages: [[Instruction]] = []
        for instruction in instructions(text) {
            if instruction.keyword == "FROM" || stages.isEmpty { stages.append([]) }
            stages[stages.count - 1].append(instruction)
        }
        return stages
    }

    /// The user the stage's last USER sets, unless it is root (or there is none).
    static func user(of stage: [Instruction]) -> String? {
        guard let user = stage.last(where: { $0.keyword == "USER" })?.arguments else { return nil }
        let name = user.split(separator: ":").first.map(String.init) ?? user
        return name == "root" || name == "0" ? nil : user
    }
}
