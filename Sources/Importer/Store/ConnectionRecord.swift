public import Foundation

/// A saved connection to one Metronome account. The token stays encrypted here; ``ConnectionStore``
/// decrypts it only to build a client.
public struct ConnectionRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case active, invalid, paused }

    public var id: Int64
    public var name: String
    public var baseURL: String
    public var status: Status
    public var rateLimit: Decimal
    public var customerBatchSize: Int
    public var lastValidatedAt: Date?
    public var lastError: String?
    public var catalogSyncedAt: Date?
    var tokenCiphertext: Data
    /// ``TokenCipher/boundFormat``, or ``TokenCipher/legacyFormat`` for a token saved before binding.
    var tokenFormat: Int16

    var tokenBinding: TokenCipher.Binding { TokenCipher.Binding(connectionID: id, baseURL: baseURL) }
}
