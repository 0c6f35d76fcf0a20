/// Truth rows as JSON (an array of objects, values as exact decimal strings) or CSV.
public enum TruthRendering {
    public static func json(_ rows: [TruthRow]) -> String {
        var writer = JSONWriter(capacity: rows.count * 200 + 2)
        writer.beginArray()
        for row in rows {
            writer.beginObject()
            writer.field("kind", row.kind.rawValue)
            writer.field("billable_metric_id", optional: row.billableMetricID)
            writer.field("credit_type_id", optional: row.creditTypeID)
            writer.field("basis", optional: row.basis?.rawValue)
            writer.field("customer_id", row.customerID)
            writer.field("day", "\(row.day)")
            writer.field("value", "\(row.value)")
            writer.endObject()
        }
        writer.endArray()
        return String(buffer: writer.buffer)
    }

    public static func csv(_ rows: [TruthRow]) -> String {
        var lines = ["kind,billable_metric_id,credit_type_id,basis,customer_id,day,value"]
        lines.reserveCapacity(rows.count + 1)
        for row in rows {
            // No field can hold a comma or a quote (ids, enums, dates, plain decimals).
            lines.append(
                [
                    row.kind.rawValue, row.billableMetricID ?? "", row.creditTypeID ?? "", row.basis?.rawValue ?? "",
                    row.customerID, "\(row.day)", "\(row.value)",
                ].joined(separator: ",")
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
