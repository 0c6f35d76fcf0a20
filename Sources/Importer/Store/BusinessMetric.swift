public import Foundation
public import Metronome

/// A metric MeterBridge imports: revenue in one credit type, or the usage of one billable metric,
/// one exact value per customer and UTC day, labeled by `labelSource` when read.
public struct BusinessMetric: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case revenue, usage }

    public var id: Int64
    public var title: String
    public var connectionID: Int64
    public var kind: Kind
    public var billableMetricID: String?
    public var creditTypeID: String?
    public var creditTypeName: String?
    public var revenueBasis: RevenueBasis?
    public var labelSource: LabelSource
    public var since: UTCDay
    public var createdAt: Date
}
