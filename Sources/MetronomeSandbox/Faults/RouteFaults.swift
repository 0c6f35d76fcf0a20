import Synchronization

/// What a route did to the request it answered with a fault of its own (a repeated cursor): such an
/// answer is refused by any careful client, so its page does not count as served. One per request,
/// set by the gate middleware.
final class RouteFaults: Sendable {
    @TaskLocal static var current: RouteFaults?

    private let repeated = Mutex(false)

    var repeatedCursor: Bool {
        get { repeated.withLock { $0 } }
        set { repeated.withLock { $0 = newValue } }
    }
}
