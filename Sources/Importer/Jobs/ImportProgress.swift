import JobQueue
import Metronome

/// How far unfinished import jobs have got inside their windows, read from their checkpoints: a usage
/// job has reported some of its batch's customers, a revenue job has walked some of them. Status shows
/// progress and the time left between job completions with this, instead of in job-sized steps.
struct ImportProgress: Sendable {
    /// A share of one window of one batch, done.
    struct Part: Sendable, Equatable {
        var window: DayRange
        /// 0…1: the share of the batch's customers done.
        var share: Double
    }

    /// By metric and batch.
    var parts: [Int64: [Int: [Part]]] = [:]
    /// Requests already spent inside unfinished history jobs (not refreshes), by connection.
    var backfillRequestsDone: [Int64: Int] = [:]

    init(_ checkpoints: [JobAdmin.Checkpoint]) {
        for checkpoint in checkpoints {
            guard let kind = ImportJobKind(rawValue: checkpoint.kind), kind != .catalog,
                let args = try? checkpoint.args(as: ImportJobArgs.self), !args.customerIDs.isEmpty,
                let done = Self.customersDone(kind: kind, checkpoint: checkpoint)
            else { continue }
            let share = min(1, Double(done) / Double(args.customerIDs.count))
            guard share > 0 else { continue }
            for metric in args.metricIDs {
                parts[metric, default: [:]][args.batch, default: []].append(Part(window: args.window, share: share))
            }
            if args.refresh == nil {
                backfillRequestsDone[args.connectionID, default: 0] += Int(share * Double(PageCost.job(kind: kind, args: args)))
            }
        }
    }

    /// The customers of the job's batch it is done with.
    static func customersDone(kind: ImportJobKind, checkpoint: JobAdmin.Checkpoint) -> Int? {
        switch kind {
        case .usage: (try? checkpoint.cursor(as: UsageCursor.self))?.seen.count
        case .revenue: (try? checkpoint.cursor(as: RevenueCursor.self))?.customerIndex
        case .catalog: nil
        }
    }

    /// Day-batch cells of `metric` done inside unfinished jobs, counting only days not yet covered.
    func partialCells(metric: Int64, coverage: [Int: DaySet], span: DayRange) -> Double {
        var cells = 0.0
        for (batch, parts) in parts[metric] ?? [:] {
            let covered = coverage[batch] ?? DaySet()
            for part in parts {
                guard let window = part.window.intersection(span) else { continue }
                let missing = covered.missing(in: window).reduce(0) { $0 + $1.days }
                cells += part.share * Double(missing)
            }
        }
        return cells
    }
}
