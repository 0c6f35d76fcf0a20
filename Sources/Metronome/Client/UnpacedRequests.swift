/// No pacing: requests go out as fast as they are made. For tests, tools and single-shot calls.
public struct UnpacedRequests: RequestPacer {
    public init() {}

    public func awaitPermission() async throws {
        try Task.checkCancellation()
    }
}
