/// A pricing unit of the synthetic account.
public struct SandboxCreditType: Hashable, Sendable {
    public let id: String
    public let name: String
    public let isCurrency: Bool

    /// "USD (cents)": amounts in cents, fractional cents included. Same id as in every real account.
    public static let usdCents = SandboxCreditType(
        id: "2714e483-4ff1-48e4-9e25-ac732e8f24f2", name: "USD (cents)", isCurrency: true)
    /// "EUR": amounts in whole euros.
    public static let euro = SandboxCreditType(
        id: "5d3a4c1e-8b2f-4e6a-9c7d-1f0e2b3a4c5d", name: "EUR", isCurrency: true)
    /// A custom pricing unit: amounts are units, not money.
    public static let cloudUnits = SandboxCreditType(
        id: "fa2f1b3d-9d52-4951-a099-25991fd394d6",
        name: "cloud consumption units",
        isCurrency: false
    )

    public static let all: [SandboxCreditType] = [.usdCents, .euro, .cloudUnits]
}
