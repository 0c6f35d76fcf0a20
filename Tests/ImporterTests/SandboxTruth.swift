import MetronomeSandbox

/// Truth filters, in a file that sees only the sandbox's `RevenueBasis` (the importer has its own).
enum SandboxTruth {
    static func revenue(creditTypeID: String, basis rawValue: String) -> TruthFilter {
        TruthFilter(kind: .revenue, creditTypeID: creditTypeID, basis: RevenueBasis(rawValue: rawValue))
    }
}
