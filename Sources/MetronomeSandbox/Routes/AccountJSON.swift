/// How the account's objects look on the wire, in Metronome's shapes.
enum AccountJSON {
    static func customer(_ customer: SandboxCustomer, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", customer.id)
        writer.field("external_id", customer.ingestAliases.first ?? customer.id)
        writer.key("ingest_aliases")
        writer.beginArray()
        for alias in customer.ingestAliases { writer.string(alias) }
        writer.endArray()
        writer.field("name", customer.name)
        writer.key("customer_config")
        writer.beginObject()
        writer.field("salesforce_account_id", optional: customer.salesforceAccountID)
        writer.endObject()
        writer.key("custom_fields")
        writer.beginObject()
        for (key, value) in customer.customFields.sorted(by: { $0.key < $1.key }) {
            writer.key(key)
            writer.string(value)
        }
        writer.endObject()
        writer.field("created_at", customer.createdAt.formatted(customer.createdAtStyle))
        // The documented list example omits `updated_at` although the schema requires it.
        if customer.index % 5 != 3 {
            writer.field("updated_at", customer.createdAt.formatted(customer.createdAtStyle))
        }
        if let archivedAt = customer.archivedAt {
            writer.field("archived_at", archivedAt.formatted(customer.createdAtStyle))
        } else if customer.index % 2 == 0 {
            writer.key("archived_at")
            writer.null()
        }
        writer.endObject()
    }

    /// - Parameter deprecatedFields: the per-customer list adds `aggregate`, `aggregate_keys` and
    ///   `group_by`, and on some metrics leaves `aggregation_type` out.
    static func metric(_ metric: SandboxMetric, deprecatedFields: Bool, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", metric.id)
        writer.field("name", metric.name)
        if !deprecatedFields || metric.index % 2 == 0 {
            writer.field("aggregation_type", metric.wireAggregationType)
        }
        if let key = metric.aggregationKey { writer.field("aggregation_key", key) }
        writer.key("event_type_filter")
        writer.beginObject()
        writer.key("in_values")
        writer.beginArray()
        writer.string(metric.name.lowercased().replacing(" ", with: "_"))
        writer.endArray()
        writer.endObject()
        writer.key("property_filters")
        writer.beginArray()
        if let key = metric.aggregationKey {
            writer.beginObject()
            writer.field("name", key)
            writer.key("exists")
            writer.bool(true)
            writer.endObject()
        }
        writer.endArray()
        writer.key("group_keys")
        writer.beginArray()
        for group in metric.groupKeys {
            writer.beginArray()
            for key in group { writer.string(key) }
            writer.endArray()
        }
        writer.endArray()
        writer.key("custom_fields")
        writer.beginObject()
        writer.endObject()
        if let archivedAt = metric.archivedAt { writer.field("archived_at", archivedAt.formatted(.millisecondsZulu)) }
        if deprecatedFields {
            writer.field("aggregate", metric.aggregation.rawValue.lowercased())
            writer.key("aggregate_keys")
            writer.beginArray()
            if let key = metric.aggregationKey { writer.string(key) }
            writer.endArray()
            writer.key("group_by")
            writer.beginArray()
            for key in metric.groupKeys.flatMap({ $0 }) { writer.string(key) }
            writer.endArray()
        }
        writer.endObject()
    }

    static func creditType(_ creditType: SandboxCreditType, includeIsCurrency: Bool, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", creditType.id)
        writer.field("name", creditType.name)
        if includeIsCurrency {
            writer.key("is_currency")
            writer.bool(creditType.isCurrency)
        }
        writer.endObject()
    }
}
