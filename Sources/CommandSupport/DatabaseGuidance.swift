import Foundation
import Postgres

/// Turns the database errors a newcomer meets first into what to do about them: no reachable database
/// (set `DATABASE_URL`) and a schema that was never migrated (run `meterbridge migrate`). Other errors
/// pass through unchanged.
public enum DatabaseGuidance {
    /// An error whose description is the whole message for the operator.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Where the connection settings came from, for the message.
    static func source(options: DatabaseOptions, environment: [String: String]) -> String {
        if options.databaseURL != nil { return "--database-url" }
        if environment["DATABASE_URL"].map({ !$0.isEmpty }) == true { return "DATABASE_URL" }
        if environment["PGHOST"].map({ !$0.isEmpty }) == true { return "PGHOST (DATABASE_URL is not set)" }
        return "the default local socket (DATABASE_URL is not set)"
    }

    /// `error` explained, or `error` itself when it is not one of the first-run problems.
    public static func explain(
        _ error: any Error, options: DatabaseOptions, environment: [String: String]? = nil
    ) -> any Error {
        guard let error = error as? PostgresError else { return error }
        let environment = environment ?? ProcessInfo.processInfo.environment
        if error.kind == .connection && error.sqlState == .connectionFailure {
            return Problem(
                description: """
                    cannot reach the database through \(source(options: options, environment: environment)): \(error.message)
                    Set DATABASE_URL to your Postgres, e.g. postgresql://meterbridge@db.internal:5432/meterbridge \
                    (or pass --database-url; PGHOST, PGPORT, PGUSER and PGDATABASE fill in what it leaves out).
                    """)
        }
        if error.sqlState == .undefinedTable {
            return Problem(
                description: "the database has no MeterBridge schema, or an older one (\(error.message)): run `meterbridge migrate`")
        }
        return error
    }
}
