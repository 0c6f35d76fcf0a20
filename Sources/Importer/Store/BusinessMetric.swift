public import Foundation
public import Metronome

/// A metric MeterBridge imports: revenue in one credit type, or the usage of one billable metric,
/// one exact value per customer and UTC day, labeled by `labelSource` when read.
public struct BusinessMetric: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case revenue, usage }

    /// What a metric imports: each kind with exactly what it needs, nothing optional.
    public enum Source: Sendable, Equatable {
        /// The daily usage of one billable metric.
        case usage(billableMetricID: String)
        /// Daily invoice revenue in one credit type, summed on one basis.
        case revenue(Revenue)
    }

    /// A revenue metric's credit type and basis.
    public struct Revenue: Sendable, Equatable {
        public var creditTypeID: String
        /// The credit type's name as the catalog had it ("USD (cents)", "EUR", …).
        public var creditTypeName: String
        public var basis: RevenueBasis

        public init(creditTypeID: String, creditTypeName: String, basis: RevenueBasis) {
            self.creditTypeID = creditTypeID
            self.creditTypeName = creditTypeName
            self.basis = basis
        }
    }

    public var id: Int64
    public var title: String
    public var connectionID: Int64
    public var source: Source
    public var labelSource: LabelSource
    public var since: UTCDay
    public var createdAt: Date

    public var kind: Kind {
        switch source {
        case .usage: .usage
        case .revenue: .revenue
        }
    }

    /// The billable metric of a usage metric.
    public var billableMetricID: String? {
        if case .usage(let id) = source { id } else { nil }
    }

    /// The credit type and basis of a revenue metric.
    public var revenue: Revenue? {
        if case .revenue(let revenue) = source { revenue } else { nil }
    }

    /// The credit type of a revenue metric (revenue metrics of one credit type share their jobs).
    public var creditTypeID: String? { revenue?.creditTypeID }
}
