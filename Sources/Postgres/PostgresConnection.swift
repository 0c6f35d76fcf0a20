import CLibPQ
import Foundation
public import Logging
import Synchronization

/// One Postgres session: an actor whose every libpq call runs on the connection's own OS thread.
///
/// Use the `async` methods from anywhere; they can be cancelled (through `PQcancel`). To run several
/// statements as one unit with nothing interleaving, pass a closure to ``transaction(_:)`` or
/// ``run(_:)``: it runs synchronously on the connection's thread and calls the synchronous overloads.
public actor PostgresConnection {
    private let executor: ThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private var handle: OpaquePointer?
    private var cancelToken: CancelToken?
    /// Ends a notification wait early when its task is cancelled.
    private var interrupt: WaitInterrupt?
    private var noticeSink: NoticeSink?
    private let broken = Atomic<Bool>(false)
    private let pid = Atomic<Int32>(0)
    private var inTransaction = false
    /// Statements prepared on this session, by SQL text. Our SQL never contains values, so the set of
    /// distinct statements is small; preparing them once saves the server a parse and plan per call.
    private var prepared: [String: String] = [:]
    private var preparedCacheSize = 0
    private var bulkStatementTimeoutMilliseconds = 0
    private var preparedCount = 0

    /// The server process id serving this session (`pg_backend_pid()`).
    public nonisolated var backendPID: Int32 { pid.load(ordering: .relaxed) }

    /// True once the connection is lost or closed; a pool replaces such a connection on the next checkout.
    public nonisolated var isBroken: Bool { broken.load(ordering: .relaxed) }

    private init(executor: ThreadExecutor) {
        self.executor = executor
    }

    /// Opens a session. libpq's blocking connect runs on the new connection's own thread.
    public static func connect(_ configuration: PostgresConfiguration, logger: Logger) async throws
        -> PostgresConnection
    {
        let connection = PostgresConnection(executor: ThreadExecutor(name: "pg-\(configuration.applicationName)"))
        try await connection.open(configuration, logger: logger)
        return connection
    }

    private func open(_ configuration: PostgresConfiguration, logger: Logger) throws(PostgresError) {
        let keywords = ["dbname", "application_name", "client_encoding", "connect_timeout"]
        let values = [
            configuration.connectionString, configuration.applicationName, "UTF8",
            String(configuration.connectTimeoutSeconds),
        ]
        let opened = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let opened else { throw PostgresError(kind: .connection, message: "out of memory") }
        guard PQstatus(opened) == CONNECTION_OK else {
            let message = CredentialRedaction.redact(
                Self.trimmed(PQerrorMessage(opened)), connectionString: configuration.connectionString)
            PQfinish(opened)
            broken.store(true, ordering: .relaxed)
            throw PostgresError(kind: .connection, sqlState: .connectionFailure, message: message)
        }
        handle = opened
        preparedCacheSize = configuration.preparedStatementCacheSize
        bulkStatementTimeoutMilliseconds = configuration.bulkStatementTimeoutMilliseconds ?? 0
        let sink = NoticeSink(logger: logger)
        noticeSink = sink
        PQsetNoticeReceiver(opened, noticeReceiver, Unmanaged.passUnretained(sink).toOpaque())
        pid.store(PQbackendPID(opened), ordering: .relaxed)
        cancelToken = CancelToken(connection: opened)
        var setup = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601';"
        if let timeout = configuration.statementTimeoutMilliseconds { setup += " SET statement_timeout = \(timeout);" }
        if let timeout = configuration.lockTimeoutMilliseconds { setup += " SET lock_timeout = \(timeout);" }
        if let schema = configuration.searchPath { setup += " SET search_path = \(Self.quoteIdentifier(schema));" }
        if configuration.readOnly { setup += " SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;" }
        if configuration.commitDurability == .asynchronous { setup += " SET synchronous_commit = off;" }
        do {
            try simpleQuery(setup)
        } catch {
            finish()
            throw PostgresError(kind: .connection, message: "session setup failed: \(error.message)")
        }
    }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    isolated deinit {
        finish()
        executor.shutdown()
    }

    /// Ends the session. Later calls fail with a connection error.
    public func close() {
        finish()
    }

    private func finish() {
        broken.store(true, ordering: .relaxed)
        cancelToken?.free()
        cancelToken = nil
        if let handle { PQfinish(handle) }
        handle = nil
    }

    // MARK: Statements (synchronous: for use inside `run` and `transaction` bodies)

    /// Runs one statement with `$1…` parameters (extended protocol). Values are never spliced into SQL.
    @discardableResult
    public func query(_ sql: String, _ binds: [(any PostgresEncodable)?] = []) throws(PostgresError)
        -> PostgresResult
    {
        let texts = binds.map { $0?.postgresText }
        // libpq takes parameters as C strings: a NUL would silently cut the value short. Refuse instead.
        if let index = texts.firstIndex(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError.client("parameter $\(index + 1) contains a NUL character, which Postgres text cannot hold")
        }
        let name = try preparedStatement(for: sql, parameterCount: texts.count)
        do {
            return try execute(redacting: texts) { handle in
                withOptionalCStrings(texts) { pointers in
                    if let name {
                        PQsendQueryPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0)
                    } else {
                        PQsendQueryParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
                    }
                }
            }
        } catch let error where error.sqlState == SQLState(rawValue: "0A000") && name != nil {
            // "cached plan must not change result type": the schema changed under the prepared statement.
            // Forget it; outside a transaction the statement can simply run again.
            prepared[sql] = nil
            guard !inTransaction else { throw error }
            try simpleQuery("DEALLOCATE \(name!)")
            return try query(sql, binds)
        }
    }

    /// The name of the prepared statement for `sql`, preparing it on first use; nil when the cache is off
    /// or full (the statement then runs unnamed).
    private func preparedStatement(for sql: String, parameterCount: Int) throws(PostgresError) -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < preparedCacheSize, !sql.contains(";") else { return nil }
        let handle = try liveHandle()
        preparedCount += 1
        let name = "mb_\(preparedCount)"
        let result = PQprepare(handle, name, sql, Int32(parameterCount), nil)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            try checkConnection(handle)
            throw resultError(result) ?? PostgresError.client("prepare failed")
        }
        prepared[sql] = name
        return name
    }

    /// Runs a script of one or more statements without parameters (simple protocol), e.g. a migration.
    @discardableResult
    public func simpleQuery(_ sql: String) throws(PostgresError) -> PostgresResult {
        try execute(redacting: []) { handle in PQsendQuery(handle, sql) }
    }

    /// Streams rows into `COPY … FROM STDIN` (text format) and returns the number of rows copied.
    /// Fields are escaped (backslash, tab, newline, carriage return) and `nil` becomes `\N`.
    @discardableResult
    public func copyIn(_ sql: String, rows: some Sequence<[(any PostgresEncodable)?]>) throws(PostgresError) -> Int {
        let handle = try liveHandle()
        let start = PQexec(handle, sql)
        let startStatus = PQresultStatus(start)
        if startStatus != PGRES_COPY_IN {
            var error = resultError(start) ?? PostgresError.client("statement is not COPY … FROM STDIN")
            PQclear(start)
            drainResults(handle)
            if startStatus == PGRES_COPY_OUT || startStatus == PGRES_COPY_BOTH {
                error = .client("only COPY … FROM STDIN is supported")
            }
            try checkConnection(handle)
            throw error
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        var sendFailed = false
        func flush() {
            guard !buffer.isEmpty, !sendFailed else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            if sent != 1 { sendFailed = true }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            for (index, field) in row.enumerated() {
                if index > 0 { buffer.append(0x09) }
                guard let text = field?.postgresText else {
                    buffer.append(contentsOf: [0x5C, 0x4E])  // \N
                    continue
                }
                for byte in text.utf8 {
                    switch byte {
                    case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                    case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                    case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                    case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                    default: buffer.append(byte)
                    }
                }
            }
            buffer.append(0x0A)
            if buffer.count >= 1 << 16 { flush() }
        }
        flush()
        _ = PQputCopyEnd(handle, sendFailed ? "client failed to send data" : nil)
        return try collectResults(handle, redacting: []).affectedRows
    }

    /// Streams bytes that are already in COPY's text format into `COPY … FROM STDIN`, for bulk loads that
    /// encode their own rows (no per-field allocations). `body` calls `send` with chunks of whole or partial
    /// lines; when `body` throws, the COPY is aborted on the server and the error is rethrown.
    @discardableResult
    public func copyInEncoded(
        _ sql: String, _ body: (_ send: (UnsafeRawBufferPointer) throws(PostgresError) -> Void) throws -> Void
    ) throws -> Int {
        let handle = try liveHandle()
        let start = PQexec(handle, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            let error = resultError(start) ?? PostgresError.client("statement is not COPY … FROM STDIN")
            PQclear(start)
            drainResults(handle)
            try checkConnection(handle)
            throw error
        }
        PQclear(start)
        func send(_ bytes: UnsafeRawBufferPointer) throws(PostgresError) {
            guard !bytes.isEmpty else { return }
            let sent = PQputCopyData(
                handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
            guard sent == 1 else {
                try checkConnection(handle)
                throw PostgresError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle)))
            }
        }
        do {
            try body(send)
        } catch {
            _ = PQputCopyEnd(handle, "aborted by the client")
            _ = try? collectResults(handle, redacting: [])
            throw error
        }
        _ = PQputCopyEnd(handle, nil)
        return try collectResults(handle, redacting: []).affectedRows
    }

    /// Runs `body` between `BEGIN` and `COMMIT` on this connection's thread; nothing else runs on the
    /// connection in between. Any error rolls back and is rethrown.
    public func transaction<T: Sendable>(
        durability: CommitDurability = .flushed, _ body: @Sendable (isolated PostgresConnection) throws -> T
    ) async throws -> T {
        try await cancellable {
            try runTransaction(durability: durability, body)
        }
    }

    /// Gives the current transaction the bulk statement timeout (``PostgresConfiguration/bulkStatementTimeoutMilliseconds``):
    /// for a COPY of a large file, a migration or a prune, which rightly run longer than the session's
    /// limit. Ends with the transaction.
    public func useBulkStatementTimeout() throws {
        try simpleQuery("SET LOCAL statement_timeout = \(bulkStatementTimeoutMilliseconds)")
    }

    /// Runs `body` on this connection's thread with nothing interleaving, without a transaction.
    public func run<T: Sendable>(_ body: @Sendable (isolated PostgresConnection) throws -> T) async throws -> T {
        try await cancellable { try body(self) }
    }

    private func runTransaction<T>(durability: CommitDurability = .flushed, _ body: (isolated PostgresConnection) throws -> T) throws
        -> T
    {
        guard !inTransaction else { throw PostgresError.client("transaction already in progress") }
        switch durability {
        case .flushed: try simpleQuery("BEGIN")
        case .asynchronous: try simpleQuery("BEGIN; SET LOCAL synchronous_commit TO off")
        }
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body(self)
            try simpleQuery("COMMIT")
            return value
        } catch {
            if !isBroken { _ = try? simpleQuery("ROLLBACK") }
            throw error
        }
    }

    // MARK: Statements (asynchronous and cancellable)

    /// Runs one statement; cancelling the calling task cancels it on the server.
    @discardableResult
    public func query(_ sql: String, _ binds: [(any PostgresEncodable)?] = []) async throws -> PostgresResult {
        try await cancellable { () throws(PostgresError) -> PostgresResult in try query(sql, binds) }
    }

    /// Runs a multi-statement script (simple protocol); cancellable.
    @discardableResult
    public func simpleQuery(_ sql: String) async throws -> PostgresResult {
        try await cancellable { () throws(PostgresError) -> PostgresResult in try simpleQuery(sql) }
    }

    /// `COPY … FROM STDIN`; cancellable.
    @discardableResult
    public func copyIn(_ sql: String, rows: [[(any PostgresEncodable)?]]) async throws -> Int {
        try await cancellable { () throws(PostgresError) -> Int in try copyIn(sql, rows: rows) }
    }

    private func cancellable<T>(_ body: () throws -> T) async throws -> T {
        try Task.checkCancellation()
        let token = cancelToken
        do {
            // The operation refers to `self`, which makes it isolated to this actor: a closure that does not
            // capture the actor would run on the global pool and block it.
            return try await withTaskCancellationHandler {
                try self.invoke(body)
            } onCancel: {
                token?.send()
            }
        } catch let error as PostgresError where error.sqlState == .queryCanceled && Task.isCancelled {
            throw CancellationError()
        }
    }

    private func invoke<T>(_ body: () throws -> T) throws -> T {
        try body()
    }

    // MARK: LISTEN / NOTIFY

    /// A notification received on a channel this session listens to.
    public struct Notification: Sendable, Equatable {
        public var channel: String
        public var payload: String
        public var senderPID: Int32
    }

    /// Subscribes this session to `channel` (quoted as an identifier).
    public func listen(_ channel: String) throws(PostgresError) {
        try simpleQuery("LISTEN \(Self.quoteIdentifier(channel))")
    }

    /// Waits up to `timeoutMilliseconds` for notifications and returns those received (maybe none).
    /// Cancelling the calling task ends the wait at once, with none: a worker shutting down does not
    /// wait out the timeout.
    public func waitForNotifications(timeoutMilliseconds: Int32) async throws -> [Notification] {
        if Task.isCancelled { return [] }
        let interrupt = try waitInterrupt()
        return try await withTaskCancellationHandler {
            try self.waitForNotifications(timeoutMilliseconds: timeoutMilliseconds, interruptedBy: interrupt)
        } onCancel: {
            interrupt.signal()
        }
    }

    /// The synchronous wait, on this connection's thread: up to `timeoutMilliseconds`, or until
    /// `interrupt` is signalled (then none are returned, and the signal is consumed).
    private func waitForNotifications(timeoutMilliseconds: Int32, interruptedBy interrupt: WaitInterrupt) throws(PostgresError)
        -> [Notification]
    {
        let handle = try liveHandle()
        var received = drainNotifications(handle)
        if !received.isEmpty { return received }
        var descriptors = [
            pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0),
            pollfd(fd: interrupt.descriptor, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&descriptors, 2, timeoutMilliseconds)
        if ready > 0 {
            if descriptors[1].revents != 0 {
                interrupt.reset()
                return []
            }
            if PQconsumeInput(handle) == 0 {
                try checkConnection(handle)
                throw PostgresError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle)))
            }
            received = drainNotifications(handle)
        }
        return received
    }

    /// This session's wait interrupt, made on first use.
    private func waitInterrupt() throws(PostgresError) -> WaitInterrupt {
        if let interrupt { return interrupt }
        guard let made = WaitInterrupt() else { throw PostgresError.client("could not create a pipe: errno \(errno)") }
        interrupt = made
        return made
    }

    private func drainNotifications(_ handle: OpaquePointer) -> [Notification] {
        var received: [Notification] = []
        _ = PQconsumeInput(handle)
        while let notify = PQnotifies(handle) {
            received.append(
                Notification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    senderPID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return received
    }

    /// Quotes an SQL identifier (for the rare statements that cannot take parameters, such as LISTEN).
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: libpq plumbing

    private func liveHandle() throws(PostgresError) -> OpaquePointer {
        assert(executor.isCurrentThread, "libpq called off the connection's thread")
        guard let handle, !isBroken else {
            throw PostgresError(kind: .connection, message: "connection is closed")
        }
        return handle
    }

    private func execute(
        redacting values: [String?], send: (OpaquePointer) -> Int32
    ) throws(PostgresError) -> PostgresResult {
        let handle = try liveHandle()
        guard send(handle) == 1 else {
            try checkConnection(handle)
            throw PostgresError(kind: .client, message: Self.trimmed(PQerrorMessage(handle)))
        }
        return try collectResults(handle, redacting: values)
    }

    /// Reads every result of the statement. The *first* error wins: when a backend is terminated
    /// mid-statement libpq yields the server's 57P01 first and a bare connection error after it.
    private func collectResults(_ handle: OpaquePointer, redacting values: [String?]) throws(PostgresError)
        -> PostgresResult
    {
        var firstError: PostgresError?
        var last: PostgresResult?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                if firstError == nil { last = Self.copy(result) }
            case PGRES_COPY_IN:
                _ = PQputCopyEnd(handle, "COPY FROM STDIN is only supported through copyIn")
            case PGRES_COPY_OUT:
                firstError = firstError ?? .client("COPY TO STDOUT is not supported")
            default:
                if firstError == nil { firstError = resultError(result) }
            }
        }
        if PQstatus(handle) != CONNECTION_OK {
            broken.store(true, ordering: .relaxed)
            if firstError == nil {
                firstError = PostgresError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle)))
            }
        }
        if var error = firstError {
            error.redact(values: values)
            throw error
        }
        return last ?? PostgresResult(columns: PostgresColumns(names: [], typeOIDs: []), rows: [], affectedRows: 0,
            commandTag: "")
    }

    private func drainResults(_ handle: OpaquePointer) {
        while let result = PQgetResult(handle) { PQclear(result) }
    }

    private func checkConnection(_ handle: OpaquePointer) throws(PostgresError) {
        guard PQstatus(handle) != CONNECTION_OK else { return }
        broken.store(true, ordering: .relaxed)
        throw PostgresError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle)))
    }

    private func resultError(_ result: OpaquePointer?) -> PostgresError? {
        guard let result else { return nil }
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let sqlState = field(CLIBPQ_DIAG_SQLSTATE).map(SQLState.init(rawValue:))
        let message = field(CLIBPQ_DIAG_MESSAGE_PRIMARY) ?? Self.trimmed(PQresultErrorMessage(result))
        let lost = sqlState == nil && handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        return PostgresError(
            kind: sqlState != nil ? .server : (lost ? .connection : .client),
            sqlState: sqlState,
            severity: field(CLIBPQ_DIAG_SEVERITY_NONLOCALIZED),
            message: message,
            detail: field(CLIBPQ_DIAG_MESSAGE_DETAIL),
            hint: field(CLIBPQ_DIAG_MESSAGE_HINT),
            constraint: field(CLIBPQ_DIAG_CONSTRAINT_NAME),
            table: field(CLIBPQ_DIAG_TABLE_NAME))
    }

    private static func copy(_ result: OpaquePointer) -> PostgresResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var names: [String] = []
        var types: [UInt32] = []
        names.reserveCapacity(columnCount)
        for column in 0..<Int32(columnCount) {
            names.append(String(cString: PQfname(result, column)))
            types.append(PQftype(result, column))
        }
        let columns = PostgresColumns(names: names, typeOIDs: types)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let pointer = PQgetvalue(result, row, column)!
                    values.append(
                        pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                        })
                }
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        let tuples = PQcmdTuples(result).map { String(cString: $0) } ?? ""
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        return PostgresResult(columns: columns, rows: rows, affectedRows: Int(tuples) ?? 0, commandTag: tag)
    }
}

/// Forwards server NOTICEs to the logger instead of libpq's default of printing them to stderr.
private final class NoticeSink: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private func noticeReceiver(context: UnsafeMutableRawPointer?, result: OpaquePointer?) {
    guard let context, let result else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    let message = PQresultErrorField(result, CLIBPQ_DIAG_MESSAGE_PRIMARY).map { String(cString: $0) } ?? ""
    sink.logger.debug("postgres notice", metadata: ["postgres.notice": "\(message)"])
}

/// Calls `body` with a NULL-terminated array of C strings that lives for the duration of the call.
private func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    return body(duplicates.map { UnsafePointer($0) } + [nil])
}

/// Calls `body` with C strings for parameter values, `nil` staying NULL.
private func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicates = strings.map { $0.map { strdup($0) } ?? nil }
    defer { duplicates.forEach { free($0) } }
    return body(duplicates.map { UnsafePointer($0) })
}

/// A pipe that a notification wait polls beside the socket, so that another thread can end the wait.
final class WaitInterrupt: Sendable {
    /// The end the wait polls.
    let descriptor: Int32
    private let writeEnd: Int32

    init?() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        descriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(descriptor)
        close(writeEnd)
    }

    /// Wakes the wait (from any thread).
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Consumes the signals, so the next wait blocks again.
    func reset() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(descriptor, &bytes, bytes.count) > 0 {}
    }
}

/// When a transaction's COMMIT returns.
public enum CommitDurability: Sendable {
    /// Once its WAL is flushed to disk (the server's `synchronous_commit` setting, on by default).
    case flushed
    /// At once (`synchronous_commit = off` for this transaction): the server flushes it within about three
    /// `wal_writer_delay`s, and a crash of the server in between loses the whole transaction, as if it had
    /// never committed, never part of it and never what committed before it.
    case asynchronous
}
