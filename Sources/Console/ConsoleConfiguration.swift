/// How `meterbridge serve` listens and who may use it.
public struct ConsoleConfiguration: Sendable {
    /// Who may use the console.
    public enum Access: Sendable {
        /// Anyone who can reach the port (only sensible on a loopback address, or with `--no-auth`).
        case open
        /// Requests carry `Authorization: Bearer TOKEN`, or a session cookie set by signing in with it.
        case token(String)
    }

    public var host: String
    public var port: Int
    public var access: Access
    /// Hides every action and refuses every state-changing request.
    public var readOnly: Bool

    public init(host: String = "127.0.0.1", port: Int = 8080, access: Access = .open, readOnly: Bool = false) {
        self.host = host
        self.port = port
        self.access = access
        self.readOnly = readOnly
    }

    /// Whether `host` only accepts connections from this machine: `localhost`, `::1`, or an IPv4 address
    /// in 127.0.0.0/8 (a name such as `127.example.com` is not one).
    public static func isLoopback(_ host: String) -> Bool {
        if ["localhost", "::1", "[::1]"].contains(host.lowercased()) { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Why the console must not start with these options, or nil: a host other than loopback needs a
    /// token unless open access is asked for explicitly.
    public static func refusal(host: String, hasToken: Bool, noAuth: Bool) -> String? {
        if hasToken && noAuth { return "pass --auth-token-file or --no-auth, not both" }
        if !isLoopback(host) && !hasToken && !noAuth {
            return
                "--http-host \(host) is reachable from other machines: pass --auth-token-file FILE (or --no-auth to serve it without authentication)"
        }
        return nil
    }
}
