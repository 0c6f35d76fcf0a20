/// The `sort` of invoice lists, by `issued_at`. Always sent: Metronome documents both ascending
/// and "newest first" as the default.
public enum InvoiceSortOrder: String, Hashable, Sendable {
    case dateAscending = "date_asc"
    case dateDescending = "date_desc"
}
