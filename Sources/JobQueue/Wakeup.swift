/// A one-slot wake-up signal with a timeout: the worker's claim loop sleeps on it between claims and is
/// woken early by a NOTIFY, a finished job, or shutdown.
actor Wakeup {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    /// Wakes the current waiter, or the next one if nobody waits.
    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns after a signal or `timeout`, whichever comes first (at once if a signal is pending).
    /// Cancellation ends the wait too.
    func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        generation += 1
        let current = generation
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                await self.expire(current)
            }
            await withCheckedContinuation { continuation in
                waiter = continuation
            }
            group.cancelAll()
        }
    }

    private func expire(_ generation: Int) {
        guard generation == self.generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}
