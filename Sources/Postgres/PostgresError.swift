import Foundation

/// A five-character SQLSTATE code. An open set: any code the server sends is representable.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The two-character class, e.g. `08` for connection exceptions.
    public var errorClass: Substring { rawValue.prefix(2) }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let crashShutdown = SQLState(rawValue: "57P02")
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
    public static let connectionFailure = SQLState(rawValue: "08006")
    public static let syntaxError = SQLState(rawValue: "42601")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
}

/// An error from the server, from the connection, or from this driver.
///
/// `description` is safe to log: it never contains the values bound to a statement (values the server
/// quotes back in its message are redacted) nor the server's `detail`, which often repeats row values
/// (`Key (id)=(42) already exists`). `debugDescription` has everything, for local debugging only.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: String, Sendable {
        /// The server reported an error for a statement; the connection is still usable.
        case server
        /// The connection is gone or could not be made: reconnect (with backoff) and retry idempotent work.
        case connection
        /// A misuse detected by the driver (decoding a NULL as non-optional, a closed connection, ...).
        case client
    }

    public var kind: Kind
    public var sqlState: SQLState?
    public var severity: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?

    public init(
        kind: Kind, sqlState: SQLState? = nil, severity: String? = nil, message: String,
        detail: String? = nil, hint: String? = nil, constraint: String? = nil, table: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
    }

    static func client(_ message: String) -> PostgresError { PostgresError(kind: .client, message: message) }

    /// True when the connection is unusable: no SQLSTATE with a bad connection, class 08, or 57P01–57P03.
    public var isConnectionLoss: Bool {
        if kind == .connection { return true }
        guard let sqlState else { return false }
        return sqlState.errorClass == "08"
            || sqlState == .adminShutdown || sqlState == .crashShutdown || sqlState == .cannotConnectNow
    }

    /// True for errors after which re-running the whole transaction may succeed.
    public var isTransient: Bool {
        isConnectionLoss || sqlState == .serializationFailure || sqlState == .deadlockDetected
            || sqlState == .lockNotAvailable
    }

    public var description: String {
        var text = "PostgresError(\(kind.rawValue)"
        if let sqlState { text += ", sqlstate: \(sqlState)" }
        if let severity { text += ", severity: \(severity)" }
        text += ", message: \(message)"
        if let constraint { text += ", constraint: \(constraint)" }
        return text + ")"
    }

    public var debugDescription: String {
        var text = description.dropLast()
        if let detail { text += ", detail: \(detail)" }
        if let hint { text += ", hint: \(hint)" }
        if let table { text += ", table: \(table)" }
        return text + ")"
    }

    /// Removes every bound value that the server quoted back into `message`, so logs never carry them.
    mutating func redact(values: [String?]) {
        for case let value? in values where !value.isEmpty {
            message = message.replacingOccurrences(of: "\"\(value)\"", with: "\"<redacted>\"")
            if value.count >= 3 {
                message = message.replacingOccurrences(of: value, with: "<redacted>")
            }
        }
    }
}
