public import Foundation
public import Metronome

/// Sums a customer's invoice breakdowns into daily revenue, exactly, in reporting units.
///
/// Rules (shared with the sandbox's truth): VOID invoices never count; only amounts in the metric's
/// credit type count; amounts in "USD (cents)" are divided by 100 and reported in dollars, other
/// currencies as Metronome gives them. A day is the UTC day its breakdown window starts on.
public struct RevenueAccumulator: Sendable, Codable, Equatable {
    public let creditTypeID: String
    public let basis: RevenueBasis
    /// Day (`YYYY-MM-DD`) → amount in the credit type's own unit (cents for USD), kept exact.
    public private(set) var sums: [String: Decimal] = [:]

    public init(creditTypeID: String, basis: RevenueBasis) {
        self.creditTypeID = creditTypeID
        self.basis = basis
    }

    /// A sum that no longer fits a Decimal (it would become NaN and be stored as one).
    public struct Overflow: Error, CustomStringConvertible {
        public var day: UTCDay
        public var description: String { "revenue on \(day) overflows an exact decimal; nothing was stored for it" }
    }

    public mutating func add(_ breakdown: InvoiceBreakdown, window: DayRange) throws(Overflow) {
        let invoice = breakdown.invoice
        guard invoice.status != .void else { return }
        if let creditType = invoice.creditType, creditType.id != creditTypeID { return }
        let day = UTCDay(containing: breakdown.breakdownStartTimestamp)
        guard window.contains(day) else { return }
        let amount: Decimal
        switch basis {
        case .invoiceTotal:
            amount = invoice.total
        case .grossUsage:
            amount = invoice.lineItems
                .filter { !$0.isAppliedCommitOrCredit && ($0.creditType?.id ?? creditTypeID) == creditTypeID }
                .reduce(Decimal(0)) { $0 + $1.total }
        }
        let sum = sums[day.description, default: 0] + amount
        guard !sum.isNaN else { throw Overflow(day: day) }
        sums[day.description] = sum
    }

    /// Daily amounts in reporting units.
    public func dailyAmounts(creditTypeName: String) -> [(day: UTCDay, amount: Decimal)] {
        let divisor: Decimal = RevenueUnits.isUSDCents(creditTypeID: creditTypeID, name: creditTypeName) ? 100 : 1
        return sums.compactMap { key, value in UTCDay(key).map { ($0, value / divisor) } }.sorted { $0.day < $1.day }
    }
}

/// How Metronome expresses money.
public enum RevenueUnits {
    /// Metronome's fixed id for the "USD (cents)" pricing unit.
    public static let usdCentsID = "2714e483-4ff1-48e4-9e25-ac732e8f24f2"

    public static func isUSDCents(creditTypeID: String, name: String) -> Bool {
        creditTypeID == usdCentsID || name.uppercased() == "USD (CENTS)"
    }
}
