public import Foundation
import JobQueue
import Logging
public import Metronome
public import Postgres

/// Connections: saved with encrypted tokens, validated against Metronome, paused and resumed.
public struct ConnectionStore: Sendable {
    public let pool: PostgresConnectionPool
    /// The token cipher, or why there is none (reading connections needs no key; tokens do).
    private let cipherResult: Result<TokenCipher, TokenCipher.KeyError>

    public init(pool: PostgresConnectionPool, cipher: TokenCipher) {
        self.pool = pool
        self.cipherResult = .success(cipher)
    }

    /// A store whose key comes from `METERBRIDGE_SECRET_KEY`; without one, only token operations fail.
    public init(pool: PostgresConnectionPool, environment: [String: String]) {
        self.pool = pool
        self.cipherResult = Result { () throws(TokenCipher.KeyError) in try TokenCipher.fromEnvironment(environment) }
    }

    private var cipher: TokenCipher {
        get throws(TokenCipher.KeyError) { try cipherResult.get() }
    }

    public struct StoreError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    static func record(_ row: PostgresRow) throws -> ConnectionRecord {
        ConnectionRecord(
            id: try row.decode(column: "id"), name: try row.decode(column: "name"), baseURL: try row.decode(column: "base_url"),
            status: try row.decode(column: "status"), rateLimit: try row.decode(column: "rate_limit"),
            customerBatchSize: try row.decode(column: "customer_batch_size"),
            lastValidatedAt: try row.decode(column: "last_validated_at"), lastError: try row.decode(column: "last_error"),
            catalogSyncedAt: try row.decode(column: "catalog_synced_at"), tokenCiphertext: try row.decode(column: "token_ciphertext"),
            tokenFormat: try row.decode(column: "token_format"))
    }

    public func all() async throws -> [ConnectionRecord] {
        try await pool.query(ConnectionStoreSQL.all).map(Self.record)
    }

    public func named(_ name: String) async throws -> ConnectionRecord {
        guard let record = try await find(name: name) else { throw StoreError("no connection named \(name)") }
        return record
    }

    /// The connection named exactly `name`, if any.
    public func find(name: String) async throws -> ConnectionRecord? {
        try await pool.query(ConnectionStoreSQL.byName, [name]).first.map(Self.record)
    }

    public func find(id: Int64) async throws -> ConnectionRecord? {
        try await pool.query(ConnectionStoreSQL.byID, [id]).first.map(Self.record)
    }

    /// Ids of the active connections whose catalog was never synced, or not within `seconds`.
    public func activeWithStaleCatalog(olderThan age: Duration) async throws -> [Int64] {
        try await pool.query(ConnectionStoreSQL.activeWithStaleCatalog, [age.seconds]).map { try $0.decode(Int64.self, at: 0) }
    }

    /// Saves a connection whose token has been validated. Fails if the name is taken.
    public func add(
        name: String, baseURL: String, token: String, rateLimit: Decimal, customerBatchSize: Int
    ) async throws -> ConnectionRecord {
        try TokenDestination.check(baseURL)
        let cipher = try cipher
        do {
            return try await pool.transaction { db in
                // The id first: the token is sealed for it.
                let id: Int64 = try db.query(ConnectionStoreSQL.nextID).single().decode(at: 0)
                let ciphertext = try cipher.seal(token, for: TokenCipher.Binding(connectionID: id, baseURL: baseURL))
                let row = try db.query(
                    ConnectionStoreSQL.insert, [id, name, baseURL, ciphertext, TokenCipher.boundFormat, rateLimit, customerBatchSize]
                ).single()
                return try Self.record(row)
            }
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError("a connection named \(name) already exists")
        }
    }

    public func setToken(_ connection: ConnectionRecord, token: String) async throws {
        try await pool.query(
            ConnectionStoreSQL.setToken, [connection.id, try cipher.seal(token, for: connection.tokenBinding), TokenCipher.boundFormat])
    }

    public func setStatus(_ id: Int64, _ status: ConnectionRecord.Status, error: String? = nil) async throws {
        try await pool.query(ConnectionStoreSQL.setStatus, [id, status.rawValue, error])
        if status == .active {
            // Its held jobs run now, not at the end of their current wait.
            try await JobQueue(pool: pool, logger: Logger(label: "meterbridge.connections")).wake(
                argsContainJSON: ImportJobArgs.selecting(connectionID: id))
        }
    }

    /// Marks the connection invalid after a 401/403 (its jobs wait until it validates again).
    public func markInvalid(_ id: Int64, error: String) async throws {
        try await pool.query(ConnectionStoreSQL.markInvalid, [id, error])
    }

    /// Deletes a connection; with `cascade` also its metrics and their values, otherwise refuses while
    /// metrics use it.
    public func remove(_ connection: ConnectionRecord, cascade: Bool) async throws -> Int {
        try await pool.transaction { db in
            let metrics = try db.query(ConnectionStoreSQL.metricIDs, [connection.id])
                .map { try $0.decode(Int64.self, at: 0) }
            if !metrics.isEmpty && !cascade {
                throw StoreError("connection \(connection.name) is used by \(metrics.count) metric(s); remove them first or pass --cascade")
            }
            try JobAdmin.cancel(JobQueue.Filter(argsContainJSON: ImportJobArgs.selecting(connectionID: connection.id)), on: db)
            try db.query(ConnectionStoreSQL.deleteMetrics, [connection.id])
            try db.query(ConnectionStoreSQL.delete, [connection.id])
            return metrics.count
        }
    }

    /// Re-encrypts every stored token under `newCipher` in one transaction (all or nothing). Fails
    /// without changing anything if a token does not open with the current key.
    public func rotateKey(to newCipher: TokenCipher) async throws -> Int {
        try await reseal(with: newCipher, onlyLegacy: false)
    }

    /// Seals tokens saved before binding (format 1) again, bound to their connection. Workers do this at
    /// start, and `meterbridge migrate` when the key is set; returns how many were sealed again.
    @discardableResult
    public func upgradeLegacyTokens() async throws -> Int {
        try await reseal(with: try cipher, onlyLegacy: true)
    }

    private func reseal(with newCipher: TokenCipher, onlyLegacy: Bool) async throws -> Int {
        let current = try cipher
        return try await pool.transaction { db in
            let rows = try db.query(
                ConnectionStoreSQL.tokensToReseal, [onlyLegacy, TokenCipher.legacyFormat]
            ).map(Self.record)
            for connection in rows {
                let token = try current.open(connection.tokenCiphertext, format: connection.tokenFormat, for: connection.tokenBinding)
                try db.query(
                    ConnectionStoreSQL.reseal, [connection.id, try newCipher.seal(token, for: connection.tokenBinding), TokenCipher.boundFormat])
            }
            return rows.count
        }
    }

    /// Which saved tokens the cipher's key opens: a worker started with the wrong key finds out before it
    /// claims anything, instead of spending every job's attempts on tokens it cannot read.
    public struct KeyCheck: Sendable {
        /// Connections whose token the key opened.
        public var opened: Int
        /// Connections whose token it did not open (the key is not the one they were saved with, or their
        /// base URL or id changed since).
        public var unopened: [ConnectionRecord]

        /// The key opens none of the saved tokens: it is not the key they were saved with.
        public var isWrongKey: Bool { opened == 0 && !unopened.isEmpty }
    }

    /// Tries the key on every saved token in the bound format (legacy tokens are sealed again first, see
    /// ``upgradeLegacyTokens()``). Nothing is decrypted for use and nothing is kept.
    public func checkKey() async throws -> KeyCheck {
        var check = KeyCheck(opened: 0, unopened: [])
        for connection in try await all() where connection.tokenFormat == TokenCipher.boundFormat {
            if (try? cipher.open(connection.tokenCiphertext, format: connection.tokenFormat, for: connection.tokenBinding)) != nil {
                check.opened += 1
            } else {
                check.unopened.append(connection)
            }
        }
        return check
    }

    /// The client configuration for a connection (the only place a token is decrypted).
    public func clientConfiguration(for connection: ConnectionRecord) throws -> MetronomeClientConfiguration {
        try TokenDestination.check(connection.baseURL)
        guard connection.tokenFormat == TokenCipher.boundFormat else {
            throw StoreError(
                "the token of connection \(connection.name) was saved before tokens were bound to their connection; "
                    + "start a worker or run `meterbridge migrate` with \(TokenCipher.keyVariable) set to seal it again")
        }
        let token = try cipher.open(connection.tokenCiphertext, format: connection.tokenFormat, for: connection.tokenBinding)
        return MetronomeClientConfiguration(baseURL: connection.baseURL, token: MetronomeToken(token))
    }
}
