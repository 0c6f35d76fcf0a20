import Crypto
public import Foundation

/// Encrypts Metronome tokens for storage with AES-256-GCM, under a key from `METERBRIDGE_SECRET_KEY`
/// (32 random bytes, base64). The token is never stored, logged or printed in clear.
///
/// A sealed token is bound to its connection: the connection's id and base URL are the cipher's
/// associated data, so a ciphertext opens only for the connection and the URL it was saved for.
/// Someone who can change `connections.base_url` cannot make a worker send the token elsewhere: the
/// token no longer decrypts. During a key rotation the previous key (`METERBRIDGE_SECRET_KEY_PREVIOUS`)
/// still opens tokens, so running workers keep working until they restart with the new key.
public struct TokenCipher: Sendable {
    private let key: SymmetricKey
    private let previousKey: SymmetricKey?
    /// What tokens sealed before binding were authenticated with (format 1).
    private static let legacyAssociatedData = Data("meterbridge-token:v1".utf8)

    public static let keyVariable = "METERBRIDGE_SECRET_KEY"
    public static let previousKeyVariable = "METERBRIDGE_SECRET_KEY_PREVIOUS"
    public static let howToGenerate = "generate one with: head -c 32 /dev/urandom | base64"

    /// The format `seal` writes: bound to the connection's id and base URL.
    public static let boundFormat: Int16 = 2
    /// Tokens saved before binding; opened only to be sealed again in the bound format.
    public static let legacyFormat: Int16 = 1

    public struct KeyError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(base64Key: String, previousBase64Key: String? = nil) throws(KeyError) {
        key = try Self.key(base64Key, variable: Self.keyVariable)
        previousKey = try previousBase64Key.map { (text) throws(KeyError) in try Self.key(text, variable: Self.previousKeyVariable) }
    }

    private static func key(_ text: String, variable: String) throws(KeyError) -> SymmetricKey {
        guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
            throw KeyError(description: "\(variable) must be 32 bytes, base64-encoded; \(howToGenerate)")
        }
        return SymmetricKey(data: bytes)
    }

    /// The cipher from the environment, or a clear error saying how to create a key.
    public static func fromEnvironment(_ environment: [String: String]) throws(KeyError) -> TokenCipher {
        guard let value = environment[keyVariable], !value.isEmpty else {
            throw KeyError(description: "\(keyVariable) is not set; it encrypts Metronome tokens. \(howToGenerate)")
        }
        let previous = environment[previousKeyVariable].flatMap { $0.isEmpty ? nil : $0 }
        return try TokenCipher(base64Key: value, previousBase64Key: previous)
    }

    /// Where a token may be sent: its connection's id and base URL.
    public struct Binding: Sendable, Equatable {
        public var connectionID: Int64
        public var baseURL: String
        public init(connectionID: Int64, baseURL: String) {
            self.connectionID = connectionID
            self.baseURL = baseURL
        }

        var associatedData: Data { Data("meterbridge-token:v2\u{0}\(connectionID)\u{0}\(baseURL)".utf8) }
    }

    /// Seals `token` for `binding` (format ``boundFormat``).
    public func seal(_ token: String, for binding: Binding) throws -> Data {
        let box = try AES.GCM.seal(Data(token.utf8), using: key, authenticating: binding.associatedData)
        guard let combined = box.combined else { throw KeyError(description: "encryption failed") }
        return combined
    }

    /// Seals in the legacy format 1, as tokens were saved before binding (for upgrade tests).
    func sealLegacy(_ token: String) throws -> Data {
        try AES.GCM.seal(Data(token.utf8), using: key, authenticating: Self.legacyAssociatedData).combined ?? Data()
    }

    /// Opens a token of `format` saved for `binding`, with the current key or, during a rotation, the
    /// previous one.
    public func open(_ ciphertext: Data, format: Int16, for binding: Binding) throws(KeyError) -> String {
        let associatedData = format == Self.legacyFormat ? Self.legacyAssociatedData : binding.associatedData
        for candidate in [key, previousKey].compactMap({ $0 }) {
            if let box = try? AES.GCM.SealedBox(combined: ciphertext),
                let clear = try? AES.GCM.open(box, using: candidate, authenticating: associatedData)
            {
                return String(decoding: clear, as: UTF8.self)
            }
        }
        throw KeyError(
            description: "cannot decrypt the stored token: \(Self.keyVariable) is not the key it was saved with, "
                + "or the connection's base URL or id changed since (a token only opens for the connection it was saved for)")
    }
}

/// Where tokens may be sent: https, or http to this machine only (the sandbox, a local proxy).
public enum TokenDestination {
    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    public static func check(_ baseURL: String) throws(Refused) {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty
        else { throw Refused(description: "the base URL \(baseURL) is not an http(s) URL") }
        if scheme == "https" { return }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let loopbackIPv4 = octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || loopbackIPv4
        guard scheme == "http", loopback else {
            throw Refused(description: "the base URL must use https (plain http only to 127.0.0.1 or localhost), not \(baseURL)")
        }
    }
}
