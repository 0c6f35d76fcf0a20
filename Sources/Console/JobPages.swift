import TextOutput
import UseCases
import Foundation
import Hummingbird
import Importer
import JobQueue
import Metronome

/// Jobs: the filtered list, one job, retry, cancel, and bulk retry of failed jobs after confirming the count.
extension ConsoleServer {
    /// The list's filter as the request gives it, resolved to the queue's ``JobQueue/Filter``.
    struct JobFilterForm {
        static let keys = ["state", "queue", "kind", "metric", "connection", "since"]
        var fields: [(String, String)]

        init(_ form: FormFields) {
            fields = Self.keys.compactMap { key in form[key].map { (key, $0) } }
        }

        subscript(_ key: String) -> String? { fields.first { $0.0 == key }?.1 }
        var query: String { FormFields.encode(fields) }

        /// The jobs the form selects; `state` overrides the form's.
        func selection(state override: JobState? = nil) throws -> JobSelection {
            var state: JobState?
            if let text = self["state"] {
                guard let parsed = JobState(rawValue: text) else {
                    throw UseCaseError.invalid(.state, reason: "not a job state; the states are \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = parsed
            }
            var since: UTCDay?
            if let text = self["since"] {
                guard let day = UTCDay(text) else { throw UseCaseError.invalid(.since, reason: "expected a day like 2026-01-31") }
                since = day
            }
            return JobSelection(
                kind: self["kind"], queue: self["queue"], metric: self["metric"], connection: self["connection"],
                state: override ?? state, finishedSince: since)
        }
    }

    /// Runs a use case; its refusals become a 400 (a 404 for a missing job) worded with the form's fields.
    func using<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as UseCaseError {
            if case .noSuchJob = error { throw HTTPError(.notFound, message: error.message(naming: \.rawValue)) }
            throw HTTPError(.badRequest, message: error.message(naming: \.rawValue))
        }
    }

    var jobs: JobOperations { JobOperations(pool: pool, logger: logger) }

    var connectionStore: ConnectionStore { ConnectionStore(pool: pool, environment: [:]) }

    struct Choice { var value: String; var selected: Bool }
    struct JobRow {
        var id: Int64; var queue, kind, state: String; var attempt, maxAttempts: Int16; var runAt: String;
        /// Cut to a line or two, with all of it on hover.
        var lastError: ConsoleTable.Cell?
    }

    struct JobsModel {
        var stateOptions, queueOptions, kindOptions, metricOptions, connectionOptions: [Choice]
        var since: String?
        var bulkRetry: Bool
        var query: String
        var count: Int
        var limited: Bool
        var limit: Int
        var jobs: [JobRow]
    }

    static let jobListLimit = 200

    func jobsPage(_ request: Request) async throws -> Response {
        let form = JobFilterForm(FormFields(query: request))
        let jobs = try await using { try await self.jobs.list(try form.selection(), limit: Self.jobListLimit) }
        func options(_ values: [String], _ key: String) -> [Choice] {
            values.map { Choice(value: $0, selected: $0 == form[key]) }
        }
        let queues = Array(Set(ImportQueue.all + (try await queue.admin.counts()).map(\.queue))).sorted()
        let model = JobsModel(
            stateOptions: options(JobState.allCases.map(\.rawValue), "state"), queueOptions: options(queues, "queue"),
            kindOptions: options(ImportJobKind.allCases.map(\.rawValue), "kind"),
            metricOptions: options(try await metrics.all().map(\.title), "metric"),
            connectionOptions: options(try await connectionStore.all().map(\.name), "connection"),
            since: form["since"],
            bulkRetry: actions && (form["state"] == nil || form["state"] == JobState.discarded.rawValue),
            query: form.query, count: jobs.count, limited: jobs.count == Self.jobListLimit, limit: Self.jobListLimit,
            jobs: jobs.map {
                JobRow(
                    id: $0.id, queue: $0.queue, kind: $0.kind, state: $0.state.rawValue, attempt: $0.attempt,
                    maxAttempts: $0.maxAttempts, runAt: Self.timestamp($0.runAt), lastError: $0.errors.last.map { ConsoleTable.Cell($0.error, column: "last_error", width: 120) })
            })
        return page("Jobs", section: "/jobs", template: "jobs", model: model)
    }

    /// As the CLI prints times (RFC 3339, UTC); empty for none.
    static func timestamp(_ date: Date?) -> String {
        date.map(Timestamps.format) ?? ""
    }

    struct JobModel {
        var id: Int64
        var queue, kind, state: String
        var attempt, maxAttempts: Int16
        var snoozes: Int
        var priority: Int16
        var runAt, createdAt, attemptedAt, finalizedAt: String
        var lockedBy: String?
        var leaseExpiresAt: String
        var uniqueKey: String?
        var args: String
        var cursor: String?
        var errors: [JobErrorEntry]
        var actions, canRetry, canCancel: Bool
        var csrf: String
    }

    func jobPage(id: Int64) async throws -> Response {
        let job = try await using { try await jobs.job(id: id) }
        let model = JobModel(
            id: job.id, queue: job.queue, kind: job.kind, state: job.state.rawValue, attempt: job.attempt,
            maxAttempts: job.maxAttempts, snoozes: job.snoozes, priority: job.priority,
            runAt: Self.timestamp(job.runAt),
            createdAt: Self.timestamp(job.createdAt), attemptedAt: Self.timestamp(job.attemptedAt),
            finalizedAt: Self.timestamp(job.finalizedAt), lockedBy: job.lockedBy,
            leaseExpiresAt: Self.timestamp(job.leaseExpiresAt),
            uniqueKey: job.uniqueKey, args: Self.pretty(job.argsJSON), cursor: job.cursorJSON.map(Self.pretty),
            errors: Array(job.errors.reversed()), actions: actions,
            canRetry: job.state == .discarded || job.state == .cancelled, canCancel: !job.state.isFinal, csrf: csrf)
        return page("Job \(job.id)", section: "/jobs", template: "job", model: model)
    }

    static func pretty(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]),
            let data = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }

    /// `meterbridge jobs retry ID`.
    func retryJob(_ request: Request, id: Int64) async throws -> Response {
        _ = try await FormFields.post(request, secrets: secrets)
        let requeued = try await using { try await jobs.retry(JobSelection(ids: [id])) }
        return requeued.isEmpty
            ? message(
                "Retry", section: "/jobs", "Job \(id) is not discarded or cancelled: nothing requeued.",
                back: "/jobs/\(id)",
                kind: "notice", status: .conflict)
            : message("Retry", section: "/jobs", "Requeued job \(id).", back: "/jobs/\(id)")
    }

    /// `meterbridge jobs cancel ID`.
    func cancelJob(_ request: Request, id: Int64) async throws -> Response {
        _ = try await FormFields.post(request, secrets: secrets)
        _ = try await using { try await jobs.job(id: id) }
        let cancelled = try await queue.admin.cancel(JobQueue.Filter(ids: [id]))
        return cancelled.isEmpty
            ? message(
                "Cancel", section: "/jobs", "Job \(id) has already finished: nothing cancelled.", back: "/jobs/\(id)",
                kind: "notice", status: .conflict)
            : message("Cancel", section: "/jobs", "Cancelled job \(id).", back: "/jobs/\(id)")
    }

    struct Field { var name, value: String }
    struct ConfirmModel {
        var count: Int; var hasJobs: Bool; var ids: String; var fields: [Field]; var query: String; var csrf: String
    }

    /// `meterbridge jobs retry --failed … --dry-run`: how many failed jobs the filter selects, to confirm.
    func confirmRetryFailed(_ request: Request) async throws -> Response {
        if configuration.readOnly { throw HTTPError(.forbidden, message: "the console is read-only") }
        let form = JobFilterForm(FormFields(query: request))
        let preview = try await using { try await jobs.retry(try form.selection(state: .discarded), dryRun: true) }
        let shown = preview.prefix(50).map(String.init).joined(separator: ", ") + (preview.count > 50 ? ", …" : "")
        let model = ConfirmModel(
            count: preview.count, hasJobs: !preview.isEmpty, ids: shown,
            fields: form.fields.filter { $0.0 != "state" }.map { Field(name: $0.0, value: $0.1) },
            query: form.query, csrf: csrf)
        return page("Retry failed jobs", section: "/jobs", template: "confirm", model: model)
    }

    /// `meterbridge jobs retry --failed …` once the count shown was confirmed: refused when the filter now
    /// selects other jobs, so nothing is requeued that the operator did not see counted.
    func retryFailed(_ request: Request) async throws -> Response {
        let posted = try await FormFields.post(request, secrets: secrets)
        let form = JobFilterForm(posted)
        let expected = posted["expected"].flatMap(Int.init) ?? -1
        let requeued: [Int64]
        switch try await using({ try await jobs.retry(try form.selection(state: .discarded), confirmedCount: expected) }) {
        case .requeued(let ids):
            requeued = ids
        case .changed(let now):
            return message(
                "Retry failed jobs", section: "/jobs",
                "The filter now selects \(now) failed job(s), not the \(posted["expected"] ?? "?") confirmed: nothing requeued.",
                back: "/jobs/retry-failed?\(form.query)", kind: "error", status: .conflict)
        }
        logger.info("console bulk retry", metadata: ["jobs.requeued": "\(requeued.count)"])
        return message(
            "Retry failed jobs", section: "/jobs", "Requeued \(requeued.count) job(s).", back: "/jobs?\(form.query)")
    }
}
