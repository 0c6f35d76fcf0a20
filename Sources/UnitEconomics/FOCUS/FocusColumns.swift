import TextOutput

/// The FOCUS columns MeterBridge keeps, found by name in any order; every other column is ignored.
///
/// Versions differ in naming: `ProviderName` (1.0–1.2) became `ServiceProviderName` (1.3, and the only
/// one in 1.4). When a file has both, `ServiceProviderName` wins.
public struct FocusColumns: Sendable, Equatable {
    public enum Field: Int, CaseIterable, Sendable {
        case chargePeriodStart, chargePeriodEnd, effectiveCost, billedCost, billingCurrency
        case serviceProviderName, providerName, serviceName, serviceCategory, chargeCategory
        case billingAccountId, subAccountId, regionId, resourceId, tags

        /// The column name in the FOCUS specification.
        public var columnName: String {
            switch self {
            case .chargePeriodStart: "ChargePeriodStart"
            case .chargePeriodEnd: "ChargePeriodEnd"
            case .effectiveCost: "EffectiveCost"
            case .billedCost: "BilledCost"
            case .billingCurrency: "BillingCurrency"
            case .serviceProviderName: "ServiceProviderName"
            case .providerName: "ProviderName"
            case .serviceName: "ServiceName"
            case .serviceCategory: "ServiceCategory"
            case .chargeCategory: "ChargeCategory"
            case .billingAccountId: "BillingAccountId"
            case .subAccountId: "SubAccountId"
            case .regionId: "RegionId"
            case .resourceId: "ResourceId"
            case .tags: "Tags"
            }
        }

        static let required: [Field] = [.chargePeriodStart, .chargePeriodEnd, .effectiveCost, .billedCost, .billingCurrency]
    }

    /// For each field, its index in the file's columns (nil: absent).
    public let indexes: [Int?]
    /// How many columns the header has.
    public let columnCount: Int
    /// The header names as written.
    public let header: [String]

    /// Maps a header row. Names match case-insensitively, ignoring surrounding spaces and a UTF-8 BOM.
    public init(header: [String]) throws(FocusImportError) {
        var indexes = [Int?](repeating: nil, count: Field.allCases.count)
        var names = header
        if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
        let lookup = Dictionary(
            Field.allCases.map { ($0.columnName.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for (index, name) in names.enumerated() {
            let key = name.trimmingSpaces().lowercased()
            if let field = lookup[key], indexes[field.rawValue] == nil { indexes[field.rawValue] = index }
        }
        for field in Field.required where indexes[field.rawValue] == nil {
            throw FocusImportError(.missingColumn, line: 1, column: field.columnName, detail: Self.headerDetail(names, missing: field.columnName))
        }
        self.indexes = indexes
        self.columnCount = names.count
        self.header = names
    }

    /// What the file's header has instead, for a missing column: the nearest names, then the header.
    static func headerDetail(_ names: [String], missing: String) -> String {
        let trimmed = names.map { $0.trimmingSpaces() }
        if trimmed.count == 1, let only = trimmed.first, only.hasPrefix("{") || only.hasPrefix("[") {
            return "this looks like JSON; a FOCUS export here is CSV with a header row (optionally gzip-compressed)"
        }
        let nearest = NearestNames.to(missing, among: trimmed)
        let shown = trimmed.prefix(12).map { "\"\(String($0.prefix(40)))\"" }.joined(separator: ", ")
            + (trimmed.count > 12 ? " and \(trimmed.count - 12) more" : "")
        return (nearest.isEmpty ? "" : "did you mean \(NearestNames.listed(nearest))? ")
            + "the header has \(trimmed.count) column(s): \(shown)"
    }

    public subscript(field: Field) -> Int? { indexes[field.rawValue] }

    /// The provider column to read: `ServiceProviderName`, else `ProviderName`.
    public var providerIndex: Int? { self[.serviceProviderName] ?? self[.providerName] }

    /// Which columns the reader must copy.
    var wanted: [Bool] {
        var wanted = [Bool](repeating: false, count: columnCount)
        for case let index? in indexes { wanted[index] = true }
        return wanted
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
