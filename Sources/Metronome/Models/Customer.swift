#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A Metronome customer (`CustomerDetail`).
///
/// Only `id` is required: it is the key MeterBridge stores history under. Everything else may be
/// missing or null in practice (the documented list example already omits `updated_at`).
public struct Customer: Decodable, Hashable, Sendable {
    public let id: String
    /// Not unique; may be empty.
    public let name: String?
    /// In the order Metronome returns them; the first one is the `ingest_alias` label.
    public let ingestAliases: [String]
    public let externalID: String?
    public let createdAt: Date?
    public let updatedAt: Date?
    /// Set when archived; archived customers keep their history.
    public let archivedAt: Date?
    public let salesforceAccountID: String?
    public let customFields: [String: String]

    public init(
        id: String,
        name: String?,
        ingestAliases: [String] = [],
        externalID: String? = nil,
        createdAt: Date? = nil,
        updatedAt: Date? = nil,
        archivedAt: Date? = nil,
        salesforceAccountID: String? = nil,
        customFields: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.ingestAliases = ingestAliases
        self.externalID = externalID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.archivedAt = archivedAt
        self.salesforceAccountID = salesforceAccountID
        self.customFields = customFields
    }

    public var isArchived: Bool { archivedAt != nil }

    enum CodingKeys: String, CodingKey {
        case id, name
        case ingestAliases = "ingest_aliases"
        case externalID = "external_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case archivedAt = "archived_at"
        case customerConfig = "customer_config"
        case customFields = "custom_fields"
    }

    enum ConfigKeys: String, CodingKey {
        case salesforceAccountID = "salesforce_account_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.name = try container.decodeIfPresent(String.self, forKey: .name)
        self.ingestAliases = try container.decodeStringsIfPresent(forKey: .ingestAliases)
        self.externalID = try container.decodeIfPresent(String.self, forKey: .externalID)
        self.createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        self.updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
        self.archivedAt = try container.decodeIfPresent(Date.self, forKey: .archivedAt)
        if container.contains(.customerConfig), try !container.decodeNil(forKey: .customerConfig) {
            let config = try container.nestedContainer(keyedBy: ConfigKeys.self, forKey: .customerConfig)
            self.salesforceAccountID = try config.decodeIfPresent(String.self, forKey: .salesforceAccountID)
        } else {
            self.salesforceAccountID = nil
        }
        self.customFields = try container.decodeStringMapIfPresent(forKey: .customFields)
    }
}
