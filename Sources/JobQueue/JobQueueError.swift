/// Errors of the job queue.
public enum JobQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The caller no longer holds the job: its lease expired and it was rescued, it was cancelled, or
    /// it already finished. Nothing was changed.
    case leaseLost(jobID: Int64)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .leaseLost(let id): "job \(id) is no longer held by this worker (lease lost); nothing was changed"
        case .invalidArgument(let message): message
        }
    }
}
