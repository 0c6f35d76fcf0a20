import Hummingbird
public import Logging
import NIOCore
import Synchronization
public import Prometheus
public import ServiceLifecycle

/// The worker's and planner's HTTP endpoints (only when `--http-port` is set, so several workers can
/// share a host): `/healthz` (the process is alive and, for a worker, its loops are not stuck), `/readyz` (database reachable and migrations
/// current), `/metrics` (Prometheus text format).
public struct OperationsServer: Service {
    public let host: String
    public let port: Int
    public let registry: PrometheusCollectorRegistry
    /// Answers whether the process can do its work; a reason when not.
    public let readiness: @Sendable () async -> String?
    /// Answers whether the process is still working (not merely alive); a reason when it is stuck.
    public let liveness: @Sendable () async -> String?
    /// Runs before each `/metrics` answer (refreshes gauges computed on demand).
    public let beforeScrape: @Sendable () async -> Void
    public let onListening: @Sendable (Int) async -> Void
    private let logger: Logger

    public init(
        host: String, port: Int, registry: PrometheusCollectorRegistry,
        readiness: @escaping @Sendable () async -> String?, liveness: @escaping @Sendable () async -> String? = { nil },
        beforeScrape: @escaping @Sendable () async -> Void = {}, onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        logger: Logger
    ) {
        self.liveness = liveness
        self.host = host
        self.port = port
        self.registry = registry
        self.readiness = readiness
        self.beforeScrape = beforeScrape
        self.onListening = onListening
        self.logger = logger
    }

    public func run() async throws {
        let router = Router()
        router.get("healthz") { [liveness, logger] _, _ -> Response in
            if let problem = await liveness() {
                logger.error("not live", metadata: ["liveness.problem": "\(problem)"])
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "stuck\n")))
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        let lastReason = Mutex<String?>(nil)
        router.get("readyz") { [readiness, logger] _, _ -> Response in
            // The answer says only ready or not (a probe may be reachable by more than operators); the
            // reason goes to the log, once each time it changes.
            let reason = await readiness()
            let changed = lastReason.withLock { last in
                defer { last = reason }
                return last != reason
            }
            if let reason {
                if changed { logger.warning("not ready", metadata: ["readiness.reason": "\(reason)"]) }
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "not ready\n")))
            }
            if changed { logger.info("ready") }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        }
        router.get("metrics") { [registry, beforeScrape] _, _ -> Response in
            await beforeScrape()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16_384)
            registry.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { [onListening] channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await application.run()
    }
}
