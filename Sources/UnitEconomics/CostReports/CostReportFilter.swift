/// One condition of a cost report: a FOCUS field (or a tag) and the values it must (or must not) have.
///
/// The command-line syntax, shared by `--include` and `--exclude`:
///
///     FIELD=VALUE[,VALUE…]     the field is one of the values
///     tag:KEY=VALUE[,VALUE…]   the tag KEY has one of the values
///     tag:KEY                  the tag KEY is present (any value)
///
/// FIELD is one of `provider`, `service`, `service-category`, `charge-category`, `account` (sub account),
/// `billing-account`, `region`, `currency` (the billing currency). Values match exactly (case-sensitive); write `\,` for a comma inside a
/// value. Conditions combine with AND: a row is in the report when every include holds and no exclude does.
public struct CostReportFilter: Codable, Sendable, Hashable, CustomStringConvertible {
    public enum Field: String, Codable, Sendable, CaseIterable {
        case provider, service
        case serviceCategory = "service-category"
        case chargeCategory = "charge-category"
        case account
        case billingAccount = "billing-account"
        case region, currency, tag
    }

    public var field: Field
    /// The tag key, for `tag` conditions.
    public var key: String?
    /// Accepted values; empty for "the tag is present".
    public var values: [String]
    public var exclude: Bool

    public init(field: Field, key: String? = nil, values: [String], exclude: Bool = false) {
        self.field = field
        self.key = key
        self.values = values
        self.exclude = exclude
    }

    /// Parses one `--include`/`--exclude` argument.
    public init(parsing text: String, exclude: Bool) throws(CostReportError) {
        let (name, rawValues) = Self.splitOnce(text, separator: "=")
        self.exclude = exclude
        if name.hasPrefix("tag:") {
            let key = String(name.dropFirst(4))
            guard !key.isEmpty else { throw CostReportError("\(text): the tag key is empty (write tag:KEY=VALUE)") }
            field = .tag
            self.key = key
        } else {
            guard let field = Field(rawValue: name), field != .tag else {
                let known = Field.allCases.filter { $0 != .tag }.map(\.rawValue).joined(separator: ", ")
                throw CostReportError("\(text): unknown field \"\(name)\" (use \(known) or tag:KEY)")
            }
            self.field = field
            key = nil
        }
        guard let rawValues else {
            guard field == .tag else { throw CostReportError("\(text): expected \(name)=VALUE[,VALUE…]") }
            values = []
            return
        }
        values = Self.splitValues(rawValues)
        guard !values.isEmpty, !values.contains(where: \.isEmpty) else {
            throw CostReportError("\(text): empty value (write \(name)=VALUE[,VALUE…])")
        }
    }

    /// The condition in the command-line syntax (what `--include`/`--exclude` accepted).
    public var argument: String {
        let name = field == .tag ? "tag:\(key ?? "")" : field.rawValue
        guard !values.isEmpty else { return name }
        let escaped = values.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,") }
        return name + "=" + escaped.joined(separator: ",")
    }

    public var description: String { (exclude ? "--exclude " : "--include ") + argument }

    private static func splitOnce(_ text: String, separator: Character) -> (String, String?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (String(text[..<index]), String(text[text.index(after: index)...]))
    }

    private static func splitValues(_ text: String) -> [String] {
        var values: [String] = []
        var current = ""
        var escaping = false
        for character in text {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "," {
                values.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaping { current.append("\\") }
        values.append(current)
        return values
    }
}

/// A cost report command that cannot be carried out; the description is the whole message.
public struct CostReportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
