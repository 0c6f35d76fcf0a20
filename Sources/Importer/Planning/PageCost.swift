/// What work costs in Metronome requests, from the API's paging rules. Every plan and projection
/// counts with these, so "the minimum from the paging rules" means one thing everywhere.
///
/// - `/v1/usage`: one page holds up to 200 daily windows of one (customer, billable metric) pair.
/// - `/v1/customers/{id}/invoices/breakdowns`: one page holds at most 35 days of one customer.
/// - Catalog lists (customers, billable metrics, credit types): 100 items a page.
public enum PageCost {
    public static let usageDaysPerPage = 200
    public static let revenueDaysPerPage = 35
    public static let listItemsPerPage = 100

    public static func pages(_ count: Int, per size: Int) -> Int { count <= 0 ? 0 : (count + size - 1) / size }

    /// Requests for `days` of one usage metric for `customers` customers.
    public static func usage(days: Int, customers: Int) -> Int { customers * pages(days, per: usageDaysPerPage) }

    /// Requests for `days` of one credit type's revenue for `customers` customers.
    public static func revenue(days: Int, customers: Int) -> Int { customers * pages(days, per: revenueDaysPerPage) }

    /// Requests for one import job (a catalog job costs what the catalog's lists do, ``catalog``).
    public static func job(kind: ImportJobKind, args: ImportJobArgs) -> Int {
        switch kind {
        case .usage: usage(days: args.window.days, customers: args.customerIDs.count)
        case .revenue: revenue(days: args.window.days, customers: args.customerIDs.count)
        case .catalog: 0
        }
    }

    /// Requests for one catalog refresh: active and archived customers are listed separately (each at
    /// least one page), then billable metrics and credit types.
    public static func catalog(activeCustomers: Int, archivedCustomers: Int, billableMetrics: Int, creditTypes: Int) -> Int {
        [activeCustomers, archivedCustomers, billableMetrics, creditTypes].reduce(0) {
            $0 + max(1, pages($1, per: listItemsPerPage))
        }
    }
}
