import CLibPQ
import Foundation

/// Owns the `PGcancel *` of one connection. libpq documents `PQcancel` as safe to call from any thread,
/// which is what lets a cancelled Swift task interrupt a statement running on the connection's thread.
final class CancelToken: @unchecked Sendable {
    // `cancel` is guarded by `lock` so `free()` cannot race a `cancel()` from another thread.
    private let lock = NSLock()
    private var cancel: OpaquePointer?

    init(connection: OpaquePointer) {
        cancel = PQgetCancel(connection)
    }

    func send() {
        lock.lock()
        defer { lock.unlock() }
        guard let cancel else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &buffer, Int32(buffer.count))
    }

    func free() {
        lock.lock()
        defer { lock.unlock() }
        if let cancel { PQfreeCancel(cancel) }
        cancel = nil
    }
}
