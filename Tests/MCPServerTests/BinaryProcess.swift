import Foundation
import TestSupport

/// The package's built executables, run on a test schema.
enum BinaryProcess {
    static func directory() throws -> URL { try BuiltBinary.directory() }

    /// The environment that points a process at the test schema.
    static func environment(_ database: TestDatabase) -> [String: String] {
        BuiltBinary.environment(schema: database.schema)
    }

    typealias Run = BuiltBinary.Run

    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String], deadlineSeconds: Double = 120
    ) throws -> Run {
        try BuiltBinary.run(executable, arguments, environment: environment, deadlineSeconds: deadlineSeconds)
    }

    static func meterbridge(_ arguments: [String], database: TestDatabase) throws -> Run {
        try run(try directory().appendingPathComponent("meterbridge"), arguments, environment: environment(database))
    }
}
