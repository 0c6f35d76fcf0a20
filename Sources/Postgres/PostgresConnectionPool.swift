public import Logging

/// A fixed-size pool of ``PostgresConnection``s.
///
/// Connections are opened lazily up to `size`. A connection that broke (server restart,
/// `pg_terminate_backend`, network loss) is closed and replaced by a fresh one on the next checkout,
/// so callers only ever see the one statement that failed with the connection.
public actor PostgresConnectionPool {
    public nonisolated let configuration: PostgresConfiguration
    public nonisolated let size: Int
    private let logger: Logger
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<PostgresConnection?, any Error>)] = []
    private var nextWaiterID = 0
    private var closed = false

    public init(configuration: PostgresConfiguration, size: Int, logger: Logger) {
        precondition(size > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.size = size
        self.logger = logger
    }

    /// Lends a connection to `body` and takes it back afterwards, also when `body` throws.
    public nonisolated func withConnection<T: Sendable>(
        _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await checkout()
        do {
            let value = try await body(connection)
            await checkin(connection)
            return value
        } catch {
            await checkin(connection)
            throw error
        }
    }

    /// Runs one statement on any pooled connection.
    @discardableResult
    public nonisolated func query(_ sql: String, _ binds: [(any PostgresEncodable)?] = []) async throws
        -> PostgresResult
    {
        try await withConnection { try await $0.query(sql, binds) }
    }

    /// Runs `body` in a transaction on one pooled connection.
    public nonisolated func transaction<T: Sendable>(
        durability: CommitDurability = .flushed, _ body: @Sendable (isolated PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { try await $0.transaction(durability: durability, body) }
    }

    /// Closes idle connections and refuses new checkouts; lent connections close when returned.
    public func close() async {
        closed = true
        for waiter in waiters { waiter.continuation.resume(throwing: PostgresError.client("pool is closed")) }
        waiters.removeAll()
        let connections = idle
        idle.removeAll()
        open -= connections.count
        for connection in connections { await connection.close() }
    }

    /// Connections currently open (idle or lent).
    public var openConnections: Int { open }

    private func checkout() async throws -> PostgresConnection {
        while true {
            guard !closed else { throw PostgresError.client("pool is closed") }
            if let connection = idle.popLast() {
                if connection.isBroken {
                    open -= 1
                    logger.info("replacing broken postgres connection", metadata: ["postgres.pid": "\(connection.backendPID)"])
                    await connection.close()
                    continue
                }
                return connection
            }
            if open < size {
                open += 1
                do {
                    return try await PostgresConnection.connect(configuration, logger: logger)
                } catch {
                    open -= 1
                    wakeOneWaiter(with: nil)
                    throw error
                }
            }
            if let connection = try await waitForConnection() { return connection }
        }
    }

    private func waitForConnection() async throws -> PostgresConnection? {
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    private func wakeOneWaiter(with connection: PostgresConnection?) {
        guard !waiters.isEmpty else {
            if let connection { idle.append(connection) }
            return
        }
        waiters.removeFirst().continuation.resume(returning: connection)
    }

    private func checkin(_ connection: PostgresConnection) async {
        if closed || connection.isBroken {
            open -= 1
            await connection.close()
            wakeOneWaiter(with: nil)  // a waiter may now open a replacement
            return
        }
        wakeOneWaiter(with: connection)
    }
}
