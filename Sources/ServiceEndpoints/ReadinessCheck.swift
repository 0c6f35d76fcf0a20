import JobQueue
public import Postgres
import Schema

/// `/readyz`: the database answers and every migration this build knows is applied.
public enum ReadinessCheck {
    public static func check(pool: PostgresConnectionPool) async -> String? {
        do {
            return try await pool.withConnection { connection in
                let status = try await Migrator(logger: .init(label: "readyz")).status(on: connection)
                let pending = status.filter { !$0.isApplied }
                return pending.isEmpty ? nil : "\(pending.count) migration(s) pending; run meterbridge migrate"
            }
        } catch {
            return "database unreachable: \(error)"
        }
    }
}
