import Foundation
import Hummingbird
import Importer
import JobQueue
import Metronome

/// The overview: connections and their request budget, queue depth, throughput, and what is behind.
extension ConsoleServer {
    struct ConnectionRow {
        var name, status, rate, rateLimit: String; var requests, rateLimited: Int; var lastError: String?
    }
    struct QueueRow { var name: String; var paused: Bool; var counts: [Int]; var actions: Bool; var csrf: String }
    struct IncompleteRow { var id: Int64; var title, status: String; var completeThrough: String?; var percent: String }

    struct OverviewModel {
        var connections: [ConnectionRow]
        var states: [String]
        var queues: [QueueRow]
        var actions: Bool
        var sparkline: String
        var completedLastHour: Int
        var peakPerMinute: Int
        var yesterday: String
        var incomplete: [IncompleteRow]
    }

    func overviewPage() async throws -> Response {
        let status = try await ImportStatus.load(pool: pool)
        let counts = try await queue.admin.counts()
        let paused = try await queue.admin.pausedQueues()
        let perMinute = try await queue.admin.completedPerMinute(minutes: 60)
        let ids = Dictionary(try await metrics.all().map { ($0.title, $0.id) }, uniquingKeysWith: { first, _ in first })
        let yesterday = UTCDay(containing: Date()).adding(days: -1)

        let states = JobState.allCases
        let names = Array(Set(ImportQueue.all + counts.map(\.queue) + paused)).sorted()
        let queues = names.map { name in
            QueueRow(
                name: name, paused: paused.contains(name),
                counts: states.map { state in counts.first { $0.queue == name && $0.state == state }?.count ?? 0 },
                actions: actions, csrf: csrf)
        }
        let incomplete = status.metrics.filter { metric in
            guard let through = metric.completeThrough.flatMap(UTCDay.init) else { return true }
            return through < yesterday
        }.map {
            IncompleteRow(
                id: ids[$0.title] ?? 0, title: $0.title, status: $0.state.rawValue, completeThrough: $0.completeThrough,
                percent: String(format: "%.1f", $0.percentDone))
        }
        let model = OverviewModel(
            connections: status.connections.map {
                ConnectionRow(
                    name: $0.name, status: $0.status, rate: String(format: "%.2f", $0.currentRate),
                    rateLimit: "\($0.rateLimit)",
                    requests: $0.requests, rateLimited: $0.rateLimited, lastError: $0.lastError)
            },
            states: states.map(\.rawValue), queues: queues, actions: actions, sparkline: Self.sparkline(perMinute),
            completedLastHour: perMinute.reduce(0, +), peakPerMinute: perMinute.max() ?? 0,
            yesterday: yesterday.description,
            incomplete: incomplete)
        return page("Overview", section: "/", template: "overview", model: model)
    }

    /// A small line of `values` (numbers only: nothing here comes from input).
    static func sparkline(_ values: [Int]) -> String {
        let width = 600.0, height = 60.0
        let peak = Double(max(values.max() ?? 0, 1))
        let step = values.count > 1 ? width / Double(values.count - 1) : width
        let points = values.enumerated().map { index, value in
            String(format: "%.1f,%.1f", Double(index) * step, height - 2 - Double(value) / peak * (height - 4))
        }.joined(separator: " ")
        return """
            <svg class="sparkline" viewBox="0 0 \(Int(width)) \(Int(height))" preserveAspectRatio="none" role="img" \
            aria-label="jobs completed per minute"><polyline points="\(points)"/></svg>
            """
    }

    // MARK: Queues

    func pauseOrResume(_ request: Request, queue name: String, action: String) async throws -> Response {
        _ = try await FormFields.post(request, secrets: secrets)
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        else {
            throw HTTPError(.badRequest, message: "not a queue name")
        }
        switch action {
        case "pause":
            try await queue.admin.pause(queue: name)
            return message("Queue paused", section: "/", "Paused \(name).", back: "/")
        case "resume":
            try await queue.admin.resume(queue: name)
            return message("Queue resumed", section: "/", "Resumed \(name).", back: "/")
        default:
            throw HTTPError(.notFound)
        }
    }
}
