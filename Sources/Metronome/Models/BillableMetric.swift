#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A billable metric, from the account-wide or the per-customer list.
public struct BillableMetric: Decodable, Hashable, Sendable {
    public let id: String
    public let name: String?
    /// Normalized to upper case. The per-customer list may only carry the deprecated lower-case
    /// `aggregate` field; it is used when `aggregation_type` is missing.
    public let aggregationType: AggregationType?
    public let aggregationKey: String?
    /// Each inner list is one simple or compound group key.
    public let groupKeys: [[String]]
    public let customFields: [String: String]
    /// Absent when not archived.
    public let archivedAt: Date?

    public init(
        id: String,
        name: String?,
        aggregationType: AggregationType?,
        aggregationKey: String? = nil,
        groupKeys: [[String]] = [],
        customFields: [String: String] = [:],
        archivedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.aggregationType = aggregationType
        self.aggregationKey = aggregationKey
        self.groupKeys = groupKeys
        self.customFields = customFields
        self.archivedAt = archivedAt
    }

    public var isArchived: Bool { archivedAt != nil }

    enum CodingKeys: String, CodingKey {
        case id, name, aggregate
        case aggregationType = "aggregation_type"
        case aggregationKey = "aggregation_key"
        case groupKeys = "group_keys"
        case customFields = "custom_fields"
        case archivedAt = "archived_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.name = try container.decodeIfPresent(String.self, forKey: .name)
        self.aggregationType =
            try container.decodeIfPresent(AggregationType.self, forKey: .aggregationType)
            ?? container.decodeIfPresent(AggregationType.self, forKey: .aggregate)
        self.aggregationKey = try container.decodeIfPresent(String.self, forKey: .aggregationKey)
        self.groupKeys = try container.decodeIfPresent([[String]].self, forKey: .groupKeys) ?? []
        self.customFields = try container.decodeStringMapIfPresent(forKey: .customFields)
        self.archivedAt = try container.decodeIfPresent(Date.self, forKey: .archivedAt)
    }
}
