import Crypto
public import Foundation

/// Encrypts Metronome tokens for storage with AES-256-GCM, under a key from `METERBRIDGE_SECRET_KEY`
/// (32 random bytes, base64). The token is never stored, logged or printed in clear.
public struct TokenCipher: Sendable {
    private let key: SymmetricKey
    /// Binds ciphertexts to this use, so a blob copied from another table or version never decrypts.
    private static let associatedData = Data("meterbridge-token:v1".utf8)

    public static let keyVariable = "METERBRIDGE_SECRET_KEY"
    public static let howToGenerate = "generate one with: head -c 32 /dev/urandom | base64"

    public struct KeyError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(base64Key: String) throws(KeyError) {
        guard let bytes = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
        else {
            throw KeyError(description: "\(Self.keyVariable) must be 32 bytes, base64-encoded; \(Self.howToGenerate)")
        }
        key = SymmetricKey(data: bytes)
    }

    /// The cipher from the environment, or a clear error saying how to create a key.
    public static func fromEnvironment(_ environment: [String: String]) throws(KeyError) -> TokenCipher {
        guard let value = environment[keyVariable], !value.isEmpty else {
            throw KeyError(description: "\(keyVariable) is not set; it encrypts Metronome tokens. \(howToGenerate)")
        }
        return try TokenCipher(base64Key: value)
    }

    public func seal(_ token: String) throws -> Data {
        let box = try AES.GCM.seal(Data(token.utf8), using: key, authenticating: Self.associatedData)
        guard let combined = box.combined else { throw KeyError(description: "encryption failed") }
        return combined
    }

    public func open(_ ciphertext: Data) throws(KeyError) -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: ciphertext)
            return String(decoding: try AES.GCM.open(box, using: key, authenticating: Self.associatedData), as: UTF8.self)
        } catch {
            throw KeyError(description: "cannot decrypt the stored token: \(Self.keyVariable) is not the key it was saved with")
        }
    }
}
