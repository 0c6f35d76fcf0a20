/// The sandbox stopped before it was listening (for example, the port was taken).
public struct SandboxStartupError: Error, CustomStringConvertible {
    public var description: String { "The sandbox stopped before it started listening" }
}
