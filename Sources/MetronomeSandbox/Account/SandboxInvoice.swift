/// An invoice of the synthetic account. Its daily breakdown windows are computed from the account
/// when asked for, one day at a time, rather than stored: a large account's line items would not
/// fit in memory.
public struct SandboxInvoice: Hashable, Sendable {
    public let id: String
    public let customerID: String
    /// `USAGE` or `SCHEDULED`.
    public let type: String
    /// `DRAFT`, `FINALIZED` or `VOID`.
    public let status: String
    public let creditType: SandboxCreditType
    /// The billing period, `[periodStart, periodEnd)`.
    public let periodStart: CivilDay
    public let periodEnd: CivilDay
    public let issuedAt: Timestamp
    public let contractID: String
    /// Some invoices omit `subtotal` (the current schema dropped it; examples still have it).
    public let includesSubtotal: Bool
    /// The first day with a breakdown window.
    public let firstWindowDay: CivilDay
    /// The number of consecutive days with a window; all of them lie inside the account's history.
    public let windowDayCount: Int
    /// What the windows' line items are computed from.
    let lines: InvoiceLines

    /// Every window, by day. Computed on each call.
    public var windows: [SandboxBreakdownWindow] {
        (0..<windowDayCount).map { lines.window(on: firstWindowDay.adding(days: $0)) }
    }

    /// Whether the invoice has a window on `day`, without computing it.
    public func hasWindow(on day: CivilDay) -> Bool {
        day >= firstWindowDay && day.daysSinceEpoch - firstWindowDay.daysSinceEpoch < windowDayCount
    }

    /// The window of one day, nil when the invoice has none that day.
    public func window(on day: CivilDay) -> SandboxBreakdownWindow? {
        hasWindow(on: day) ? lines.window(on: day) : nil
    }
}
