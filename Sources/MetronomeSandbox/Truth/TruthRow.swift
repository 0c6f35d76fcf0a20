#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One expected daily value: what an importer must store for (kind, metric or credit type, basis,
/// customer, UTC day), in MeterBridge's units (USD in dollars, other units as Metronome gives them).
public struct TruthRow: Hashable, Sendable {
    public let kind: TruthKind
    /// Set for usage rows.
    public let billableMetricID: String?
    /// Set for revenue rows.
    public let creditTypeID: String?
    /// Set for revenue rows.
    public let basis: RevenueBasis?
    public let customerID: String
    public let day: CivilDay
    public let value: Decimal

    public init(
        kind: TruthKind,
        billableMetricID: String?,
        creditTypeID: String?,
        basis: RevenueBasis?,
        customerID: String,
        day: CivilDay,
        value: Decimal
    ) {
        self.kind = kind
        self.billableMetricID = billableMetricID
        self.creditTypeID = creditTypeID
        self.basis = basis
        self.customerID = customerID
        self.day = day
        self.value = value
    }

    /// The key without the value, for comparing truth with an import.
    public var key: String {
        [kind.rawValue, billableMetricID ?? "", creditTypeID ?? "", basis?.rawValue ?? "", customerID, "\(day)"]
            .joined(separator: "|")
    }
}
