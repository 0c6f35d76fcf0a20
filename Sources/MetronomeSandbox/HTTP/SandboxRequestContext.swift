public import Hummingbird
public import NIOCore

/// The request context: Hummingbird's core storage plus the channel, which fault injection needs
/// to drop a connection or cut a body short.
public struct SandboxRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    /// The bearer token the request was admitted with (set by the gate); it selects the account.
    public var token = ""

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
