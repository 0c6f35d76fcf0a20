import Metronome
import Synchronization

/// Counts what the client asks of its pacer.
final class CountingPacer: RequestPacer {
    private let counts = Mutex((permissions: 0, rateLimits: 0))

    func awaitPermission() async throws {
        counts.withLock { $0.permissions += 1 }
    }

    func didReceiveRateLimit(retryAfter: Duration?) async {
        counts.withLock { $0.rateLimits += 1 }
    }

    var permissions: Int { counts.withLock { $0.permissions } }
    var rateLimits: Int { counts.withLock { $0.rateLimits } }
}
