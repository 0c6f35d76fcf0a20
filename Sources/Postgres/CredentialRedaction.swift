import Foundation

/// Removes passwords from text that may quote a connection string back, as libpq's connection errors
/// do (`missing "=" after "postgresql://app:secret@db…" in connection info string`). Connection errors
/// reach logs and readiness answers, so they never carry a password.
public enum CredentialRedaction {
    public static let mask = "***"

    /// `text` with the password of `connectionString`, and anything shaped like a URI's
    /// `user:password@` or a conninfo `password=…`, masked.
    public static func redact(_ text: String, connectionString: String) -> String {
        var result = text
        // libpq quotes a string it cannot parse whole.
        if connectionString.count > 3 { result = result.replacingAll(connectionString, with: "<the connection string>") }
        if let password = password(in: connectionString), !password.isEmpty {
            result = result.replacingAll(password, with: mask)
        }
        return maskShapes(result)
    }

    /// The password a URI (`scheme://user:password@host`) or conninfo (`password=…`) carries.
    public static func password(in connectionString: String) -> String? {
        if let scheme = connectionString.range(of: "://") {
            let rest = connectionString[scheme.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            guard let at = authority.lastIndex(of: "@") else { return nil }
            let userInfo = authority[..<at]
            guard let colon = userInfo.firstIndex(of: ":") else { return nil }
            return String(userInfo[userInfo.index(after: colon)...])
        }
        guard let key = connectionString.range(of: "password") else { return nil }
        var rest = connectionString[key.upperBound...].drop { $0 == " " }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " }
        if rest.first == "'" {
            return String(rest.dropFirst().prefix { $0 != "'" })
        }
        return String(rest.prefix { $0 != " " })
    }

    /// Masks `://user:…@` and `password=…` wherever they appear.
    static func maskShapes(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("://") {
                output += "://"
                index = text.index(index, offsetBy: 3)
                let authority = text[index...].prefix { $0 != "/" && $0 != "?" && $0 != " " && $0 != "\"" }
                if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                    output += authority[..<colon] + ":" + mask + authority[at...]
                    index = authority.endIndex
                }
                continue
            }
            if rest.lowercased().hasPrefix("password=") {
                output += "password=" + mask
                index = text.index(index, offsetBy: 9)
                if index < text.endIndex && text[index] == "'" {
                    index = text.index(after: index)
                    while index < text.endIndex && text[index] != "'" { index = text.index(after: index) }
                    if index < text.endIndex { index = text.index(after: index) }
                } else {
                    while index < text.endIndex && text[index] != " " && text[index] != "\"" { index = text.index(after: index) }
                }
                continue
            }
            output.append(text[index])
            index = text.index(after: index)
        }
        return output
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var output = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            output += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return output + rest
    }
}
