/// Where a metric's labels come from. The rule that turns it into a label (the name or the first
/// ingest alias, falling back to the customer id, with ` (` + the first 8 characters of the id + `)` for
/// customers that would share a label) lives in the `customer_labels` view in
/// `sql/migrations/0002_importer.sql`, so labels are resolved when read, by SQL and Swift alike.
public enum LabelSource: String, Sendable, Codable, CaseIterable {
    case customerName = "customer_name"
    case ingestAlias = "ingest_alias"
    case customerID = "customer_id"

    /// As people type it (`--label-source customer-name`) and as listings show it.
    public var name: String { rawValue.replacingOccurrences(of: "_", with: "-") }
}
