/// The query of `GET /v1/customers/{customer_id}/invoices/breakdowns`.
public struct InvoiceBreakdownQuery: Hashable, Sendable {
    /// Breakdowns for windows that start on or after the first day and end on or before the end.
    public var window: DayWindow
    public var windowSize: BreakdownWindowSize
    public var creditTypeID: String?
    /// `DRAFT` or `FINALIZED`; all statuses when nil.
    public var status: InvoiceStatus?
    public var sort: InvoiceSortOrder
    public var skipZeroQuantityLineItems: Bool?
    /// Items per page, 1–100; the server's default when nil.
    public var limit: Int?

    public init(
        window: DayWindow,
        windowSize: BreakdownWindowSize = .day,
        creditTypeID: String? = nil,
        status: InvoiceStatus? = nil,
        sort: InvoiceSortOrder = .dateAscending,
        skipZeroQuantityLineItems: Bool? = nil,
        limit: Int? = nil
    ) {
        self.window = window
        self.windowSize = windowSize
        self.creditTypeID = creditTypeID
        self.status = status
        self.sort = sort
        self.skipZeroQuantityLineItems = skipZeroQuantityLineItems
        self.limit = limit
    }

    var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = [
            ("starting_on", RFC3339.format(window.startingOn)),
            ("ending_before", RFC3339.format(window.endingBefore)),
            ("window_size", windowSize.rawValue),
            ("sort", sort.rawValue),
        ]
        if let creditTypeID { items.append(("credit_type_id", creditTypeID)) }
        if let status { items.append(("status", status.rawValue)) }
        if let skipZeroQuantityLineItems {
            items.append(("skip_zero_qty_line_items", skipZeroQuantityLineItems ? "true" : "false"))
        }
        if let limit { items.append(("limit", String(limit))) }
        return items
    }
}
