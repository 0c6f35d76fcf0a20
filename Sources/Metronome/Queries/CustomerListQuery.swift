/// Filters for `GET /v1/customers`.
///
/// Metronome returns active customers by default and only archived ones with `only_archived`;
/// there is no "both", so a full catalog walks twice.
public struct CustomerListQuery: Hashable, Sendable {
    public var onlyArchived: Bool
    /// Up to 100 ids.
    public var customerIDs: [String]?
    public var ingestAlias: String?
    /// Page size, 1–100; the server's default when nil.
    public var limit: Int?

    public init(onlyArchived: Bool = false, customerIDs: [String]? = nil, ingestAlias: String? = nil, limit: Int? = nil)
    {
        self.onlyArchived = onlyArchived
        self.customerIDs = customerIDs
        self.ingestAlias = ingestAlias
        self.limit = limit
    }

    var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let limit { items.append(("limit", String(limit))) }
        if onlyArchived { items.append(("only_archived", "true")) }
        if let customerIDs, !customerIDs.isEmpty { items.append(("customer_ids", customerIDs.joined(separator: ","))) }
        if let ingestAlias { items.append(("ingest_alias", ingestAlias)) }
        return items
    }
}
