/// Every customer's invoices, indexed like the account's customers, each customer's computed when
/// asked for: only customers, metrics and credit types are stored, so that an account of 10,000
/// customers and years of history starts in moments and in little memory.
public struct CustomerInvoices: RandomAccessCollection, Equatable, Sendable {
    let customers: [SandboxCustomer]
    let metrics: [SandboxMetric]
    let usage: UsageTable
    let parameters: AccountParameters

    public var startIndex: Int { 0 }
    public var endIndex: Int { customers.count }

    /// The customer's invoices, in generation order: month by month, the usage invoice first.
    public subscript(position: Int) -> [SandboxInvoice] {
        AccountGenerator.makeInvoices(
            customer: customers[position], metrics: metrics, usage: usage, parameters: parameters)
    }

    public static func == (lhs: CustomerInvoices, rhs: CustomerInvoices) -> Bool {
        lhs.elementsEqual(rhs)
    }
}
