/// A Metronome API token. Its description and debug description are redacted, so printing a
/// configuration, logging it or interpolating it into an error cannot leak the secret.
public struct MetronomeToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; read only to build the `Authorization` header.
    public let secret: String

    public init(_ secret: String) {
        self.secret = secret
    }

    public var description: String { "MetronomeToken(<redacted>)" }
    public var debugDescription: String { description }
}

extension MetronomeToken: CustomReflectable {
    /// No children, so `dump` and debuggers cannot print the secret either.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
