public import Importer
import TextOutput
public import Postgres

/// Finding connections and metrics by the names people give them: the one way every front-end looks
/// them up, with the nearest names when there is no such one.
public struct Catalog: Sendable {
    public let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) { self.pool = pool }

    var metrics: MetricStore { MetricStore(pool: pool) }
    var connections: ConnectionStore { ConnectionStore(pool: pool, environment: [:]) }

    /// The metric titled `title`; ``UseCaseError/notFound(_:name:nearest:)`` with the nearest titles.
    public func metric(titled title: String) async throws -> BusinessMetric {
        if let metric = try await metrics.find(title: title) { return metric }
        let titles = try await metrics.all().map(\.title)
        throw UseCaseError.notFound(.metric, name: title, nearest: NearestNames.to(title, among: titles))
    }

    /// The connection named `name`; ``UseCaseError/notFound(_:name:nearest:)`` with the nearest names.
    public func connection(named name: String) async throws -> ConnectionRecord {
        if let connection = try await connections.find(name: name) { return connection }
        let names = try await connections.all().map(\.name)
        throw UseCaseError.notFound(.connection, name: name, nearest: NearestNames.to(name, among: names))
    }
}
