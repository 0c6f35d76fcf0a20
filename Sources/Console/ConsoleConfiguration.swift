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

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
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
