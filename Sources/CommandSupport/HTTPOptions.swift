public import ArgumentParser

/// `--http-port` / `--http-host`: the health, readiness and metrics endpoints (off unless a port is
/// given, so several processes can share a host).
public struct HTTPOptions: ParsableArguments {
    @Option(help: "Serve /healthz, /readyz and /metrics on this port (off when not set).") public var httpPort: Int?
    @Option(help: "Address for --http-port: loopback unless set (0.0.0.0 to serve every interface, as in a container).")
    public var httpHost = "127.0.0.1"

    public init() {}

    public func validate() throws {
        if let httpPort, !(0...65_535).contains(httpPort) { throw ValidationError("--http-port must be 0…65535") }
    }
}
