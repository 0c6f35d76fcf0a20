/// The truth of an account, computed one slice at a time as it is iterated: a large account's
/// truth is far too big to hold, so the endpoint and the `truth` command stream it from here.
///
/// A slice is one (metric, customer) of usage or one (basis, credit type, customer) of revenue: at
/// most one row per day of history. The slices go in the truth's order (see ``TruthCalculator``),
/// and the filter's kind, metric, credit type, basis and customer pick the slices before anything
/// is computed, so a narrow filter is cheap on any account.
public struct TruthRows: Sequence, Sendable {
    let account: SandboxAccount
    let filter: TruthFilter
    /// By id.
    let metrics: [SandboxMetric]
    /// Indices into the account's customers, by customer id.
    let customers: [Int]
    let bases: [RevenueBasis]
    /// By id.
    let creditTypes: [SandboxCreditType]

    public init(account: SandboxAccount, filter: TruthFilter = TruthFilter()) {
        self.account = account
        self.filter = filter
        let usage = filter.kind != .revenue && filter.creditTypeID == nil && filter.basis == nil
        let revenue = filter.kind != .usage && filter.billableMetricID == nil
        metrics =
            usage
            ? account.metrics.filter { filter.billableMetricID == nil || filter.billableMetricID == $0.id }
                .sorted { $0.id < $1.id } : []
        if let id = filter.customerID {
            customers = account.customer(id: id).map { [$0.index] } ?? []
        } else {
            customers = account.customers.sorted { $0.id < $1.id }.map(\.index)
        }
        bases = revenue ? RevenueBasis.allCases.filter { filter.basis == nil || filter.basis == $0 } : []
        creditTypes = account.creditTypes.filter { filter.creditTypeID == nil || filter.creditTypeID == $0.id }
            .sorted { $0.id < $1.id }
    }

    var usageSliceCount: Int { metrics.count * customers.count }
    var sliceCount: Int { usageSliceCount + bases.count * creditTypes.count * customers.count }

    func slice(at index: Int) -> TruthSlice {
        if index < usageSliceCount {
            let customer = account.customers[customers[index % customers.count]]
            return .usage(metrics[index / customers.count], customer)
        }
        let revenueIndex = index - usageSliceCount
        let customer = account.customers[customers[revenueIndex % customers.count]]
        let group = revenueIndex / customers.count
        return .revenue(bases[group / creditTypes.count], creditTypes[group % creditTypes.count], customer)
    }

    public func makeIterator() -> Iterator { Iterator(rows: self) }

    public struct Iterator: IteratorProtocol {
        let rows: TruthRows
        var nextSlice = 0
        /// The current slice's rows.
        var pending: [TruthRow] = []
        var position = 0

        public mutating func next() -> TruthRow? {
            while position == pending.count {
                guard nextSlice < rows.sliceCount else { return nil }
                pending = TruthCalculator.rows(
                    in: rows.slice(at: nextSlice), account: rows.account, filter: rows.filter)
                nextSlice += 1
                position = 0
            }
            defer { position += 1 }
            return pending[position]
        }
    }
}

/// The unit the truth is computed in: at most one row per day of history.
enum TruthSlice: Sendable {
    case usage(SandboxMetric, SandboxCustomer)
    case revenue(RevenueBasis, SandboxCreditType, SandboxCustomer)
}
