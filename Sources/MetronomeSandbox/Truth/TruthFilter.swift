/// Narrows the truth to what a test or a demo check needs.
public struct TruthFilter: Hashable, Sendable {
    public var kind: TruthKind?
    public var billableMetricID: String?
    public var creditTypeID: String?
    public var basis: RevenueBasis?
    public var customerID: String?
    /// Inclusive.
    public var fromDay: CivilDay?
    /// Inclusive.
    public var toDay: CivilDay?

    public init(
        kind: TruthKind? = nil,
        billableMetricID: String? = nil,
        creditTypeID: String? = nil,
        basis: RevenueBasis? = nil,
        customerID: String? = nil,
        fromDay: CivilDay? = nil,
        toDay: CivilDay? = nil
    ) {
        self.kind = kind
        self.billableMetricID = billableMetricID
        self.creditTypeID = creditTypeID
        self.basis = basis
        self.customerID = customerID
        self.fromDay = fromDay
        self.toDay = toDay
    }

    public func admits(_ row: TruthRow) -> Bool {
        if let kind, row.kind != kind { return false }
        if let billableMetricID, row.billableMetricID != billableMetricID { return false }
        if let creditTypeID, row.creditTypeID != creditTypeID { return false }
        if let basis, row.basis != basis { return false }
        if let customerID, row.customerID != customerID { return false }
        if let fromDay, row.day < fromDay { return false }
        if let toDay, row.day > toDay { return false }
        return true
    }
}
