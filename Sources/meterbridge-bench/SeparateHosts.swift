import Foundation
import Postgres

/// Workers on hosts of their own: one network namespace per worker, joined by veth pairs to a bridge on
/// the benchmark's host, where the sandbox listens and Postgres is reached through a relay that adds a
/// network's delay to every packet each way (this kernel has no `tc netem`). Addresses come from
/// 198.18.0.0/24, the range set aside for benchmarks (RFC 2544); nothing leaves the machine.
final class SeparateHosts: @unchecked Sendable {
    let hostAddress = "198.18.0.1"
    let workers: Int
    let postgresDelayMs: Double
    private let bridge = "mbbr0"
    private var relay: Process?
    private(set) var relayPort = 0
    private var apiRelays: [Process] = []

    init(workers: Int, postgresDelayMs: Double) {
        self.workers = workers
        self.postgresDelayMs = postgresDelayMs
    }

    func namespace(_ worker: Int) -> String { "mb-worker\(worker + 1)" }

    /// Creates the bridge, the namespaces and the relay to `database`'s Postgres.
    func setUp(database: PostgresConfiguration) throws {
        tearDown()
        try Self.ip(["link", "add", bridge, "type", "bridge"])
        try Self.ip(["addr", "add", "\(hostAddress)/24", "dev", bridge])
        try Self.ip(["link", "set", bridge, "up"])
        for worker in 0..<workers {
            let name = namespace(worker)
            try Self.ip(["netns", "add", name])
            try Self.ip(["link", "add", "mbh\(worker)", "type", "veth", "peer", "name", "mbn\(worker)"])
            try Self.ip(["link", "set", "mbh\(worker)", "master", bridge])
            try Self.ip(["link", "set", "mbh\(worker)", "up"])
            try Self.ip(["link", "set", "mbn\(worker)", "netns", name])
            try Self.ip(["-n", name, "addr", "add", "198.18.0.\(11 + worker)/24", "dev", "mbn\(worker)"])
            try Self.ip(["-n", name, "link", "set", "mbn\(worker)", "up"])
            try Self.ip(["-n", name, "link", "set", "lo", "up"])
        }
        let (relay, port) = try Self.startRelay(
            launcher: [], listen: "\(hostAddress):0", to: "\(try Self.url(database).host ?? "127.0.0.1"):\(try Self.url(database).port ?? 5432)",
            delayMs: postgresDelayMs)
        self.relay = relay
        relayPort = port
    }

    /// On every worker's host, `127.0.0.1:port` forwards to the sandbox's `port` on the benchmark's host.
    func relayAPI(port: Int) throws {
        for worker in 0..<workers {
            let (relay, _) = try Self.startRelay(
                launcher: launcher(worker: worker), listen: "127.0.0.1:\(port)", to: "\(hostAddress):\(port)", delayMs: 0)
            apiRelays.append(relay)
        }
    }

    /// Starts scripts/bench-support/delay_relay.py and returns it with the port it listens on.
    private static func startRelay(launcher: [String], listen: String, to target: String, delayMs: Double) throws -> (Process, Int) {
        let relay = Process()
        let script = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(
            "scripts/bench-support/delay_relay.py")
        let command = launcher + ["/usr/bin/python3", script.path, "--listen", listen, "--to", target, "--delay-ms", String(delayMs)]
        relay.executableURL = URL(fileURLWithPath: command[0])
        relay.arguments = Array(command.dropFirst())
        let output = Pipe()
        relay.standardOutput = output
        try relay.run()
        guard let port = Int(output.firstLine()) else { throw BenchError("a relay did not start: \(command)") }
        return (relay, port)
    }

    /// `ip netns exec NAME`: runs a worker on its host.
    func launcher(worker: Int) -> [String] { ["/usr/sbin/ip", "netns", "exec", namespace(worker)] }

    /// The worker's `DATABASE_URL`: Postgres through the relay.
    func environment(worker: Int, database: PostgresConfiguration) -> [String: String] {
        guard var url = try? Self.url(database) else { return [:] }
        url.host = hostAddress
        url.port = relayPort
        return ["DATABASE_URL": url.string ?? ""]
    }

    /// The benchmark's `DATABASE_URL` (scripts/with-postgres gives a `postgresql://` URI).
    static func url(_ database: PostgresConfiguration) throws -> URLComponents {
        guard let url = URLComponents(string: database.connectionString), url.host != nil else {
            throw BenchError("separate hosts need DATABASE_URL as a postgresql:// URI")
        }
        return url
    }

    func tearDown() {
        // SIGKILL: a child started from a Swift process may inherit a mask that blocks SIGTERM.
        for process in ([relay].compactMap { $0 } + apiRelays) where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        relay = nil
        apiRelays = []
        for worker in 0..<workers {
            try? Self.ip(["netns", "del", namespace(worker)], quiet: true)
            try? Self.ip(["link", "del", "mbh\(worker)"], quiet: true)
        }
        try? Self.ip(["link", "del", bridge], quiet: true)
    }

    /// Whether this machine can make network namespaces (root, `ip`).
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
    }

    private static func ip(_ arguments: [String], quiet: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = quiet ? FileHandle.nullDevice : FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("ip \(arguments.joined(separator: " ")) failed") }
    }
}
