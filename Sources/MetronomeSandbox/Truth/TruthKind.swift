/// What a truth row measures.
public enum TruthKind: String, Hashable, Sendable, CaseIterable {
    /// A billable metric's daily usage `value`.
    case usage
    /// Daily invoice revenue in one credit type, on one ``RevenueBasis``.
    case revenue
}
