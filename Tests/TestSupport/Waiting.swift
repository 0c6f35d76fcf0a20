/// A wait that ran out of time, naming what it waited for.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public var description: String
}

/// Checks `condition` until it holds, for at most `timeout`, and fails naming `what` when it never does,
/// so a regression fails within the timeout instead of hanging the test run. The timeout is wide: it
/// bounds a broken wait; a working one returns as soon as the condition holds.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(60), pollingEvery interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(description: "timed out after \(timeout) waiting until \(what)") }
        try await Task.sleep(for: interval)
    }
}
