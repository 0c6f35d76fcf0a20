import Foundation
@testable import Importer
import Metronome
import Postgres
import Testing
import TestSupport

@Suite("Token encryption", .timeLimit(.minutes(5)))
struct TokenCipherTests {
    let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
    let binding = TokenCipher.Binding(connectionID: 7, baseURL: "https://api.metronome.com")

    @Test func sealsAndOpens() throws {
        let cipher = try TokenCipher(base64Key: key)
        let sealed = try cipher.seal("secret-token-123", for: binding)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("secret-token-123"))
        #expect(try cipher.open(sealed, format: TokenCipher.boundFormat, for: binding) == "secret-token-123")
        #expect(try cipher.seal("secret-token-123", for: binding) != sealed, "a fresh nonce every time")
    }

    /// A token opens only for the connection and base URL it was saved for.
    @Test func aTokenIsBoundToItsConnectionAndBaseURL() throws {
        let cipher = try TokenCipher(base64Key: key)
        let sealed = try cipher.seal("secret", for: binding)
        for other in [
            TokenCipher.Binding(connectionID: 7, baseURL: "https://attacker.example"),
            TokenCipher.Binding(connectionID: 8, baseURL: "https://api.metronome.com"),
        ] {
            #expect(throws: TokenCipher.KeyError.self) { try cipher.open(sealed, format: TokenCipher.boundFormat, for: other) }
        }
        // Nor as a token of the old, unbound format.
        #expect(throws: TokenCipher.KeyError.self) { try cipher.open(sealed, format: TokenCipher.legacyFormat, for: binding) }
    }

    /// During a rotation the previous key still opens tokens; new tokens use the new key.
    @Test func thePreviousKeyOpensDuringARotation() throws {
        let newKey = Data(repeating: 9, count: 32).base64EncodedString()
        let sealedWithOld = try TokenCipher(base64Key: key).seal("secret", for: binding)
        let rotating = try TokenCipher.fromEnvironment([TokenCipher.keyVariable: newKey, TokenCipher.previousKeyVariable: key])
        #expect(try rotating.open(sealedWithOld, format: TokenCipher.boundFormat, for: binding) == "secret")
        let sealedWithNew = try rotating.seal("secret", for: binding)
        #expect(throws: TokenCipher.KeyError.self) {
            try TokenCipher(base64Key: key).open(sealedWithNew, format: TokenCipher.boundFormat, for: binding)
        }
        #expect(throws: TokenCipher.KeyError.self) {
            try TokenCipher.fromEnvironment([TokenCipher.keyVariable: newKey, TokenCipher.previousKeyVariable: "c2hvcnQ="])
        }
    }

    @Test func wrongKeyAndBadKeysFailClearly() throws {
        let sealed = try TokenCipher(base64Key: key).seal("secret", for: binding)
        let other = try TokenCipher(base64Key: Data(repeating: 7, count: 32).base64EncodedString())
        #expect(throws: TokenCipher.KeyError.self) { try other.open(sealed, format: TokenCipher.boundFormat, for: binding) }
        #expect(throws: TokenCipher.KeyError.self) { try TokenCipher(base64Key: "c2hvcnQ=") }
        let missing = #expect(throws: TokenCipher.KeyError.self) { try TokenCipher.fromEnvironment([:]) }
        #expect(missing?.description.contains("head -c 32 /dev/urandom | base64") == true)
    }

    @Test func tokensGoOnlyToHTTPSOrToThisMachine() {
        for url in ["https://api.metronome.com", "http://127.0.0.1:8099", "http://localhost:1", "http://[::1]:80"] {
            #expect(throws: Never.self, "\(url)") { try TokenDestination.check(url) }
        }
        for url in ["http://api.metronome.com", "http://10.0.0.5", "ftp://x", "not a url", "http://127.0.0.1.attacker.example"] {
            #expect(throws: TokenDestination.Refused.self, "\(url)") { try TokenDestination.check(url) }
        }
    }
}

@Suite("Secret key rotation", .timeLimit(.minutes(15)))
struct KeyRotationTests {
    /// Every token is re-encrypted in one transaction; afterwards only the new key opens them, and a
    /// wrong current key changes nothing.
    @Test func rotateKeyReencryptsEveryToken() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let oldKey = Data(repeating: 1, count: 32).base64EncodedString()
        let newKey = Data(repeating: 2, count: 32).base64EncodedString()
        let old = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: oldKey))
        for name in ["a", "b"] {
            _ = try await old.add(name: name, baseURL: "https://x.example", token: "token-\(name)", rateLimit: 8, customerBatchSize: 25)
        }
        // A store holding the wrong "current" key refuses and changes nothing.
        let wrong = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: Data(repeating: 3, count: 32).base64EncodedString()))
        await #expect(throws: TokenCipher.KeyError.self) { try await wrong.rotateKey(to: try TokenCipher(base64Key: newKey)) }
        #expect(try old.clientConfiguration(for: try await old.named("a")).token.secret == "token-a")

        #expect(try await old.rotateKey(to: try TokenCipher(base64Key: newKey)) == 2)
        let rotated = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: newKey))
        for name in ["a", "b"] {
            #expect(try rotated.clientConfiguration(for: try await rotated.named(name)).token.secret == "token-\(name)")
            let record = try await old.named(name)
            #expect(throws: TokenCipher.KeyError.self) { try old.clientConfiguration(for: record) }
        }
        await pool.close()
    }
}

@Suite("Bound tokens", .timeLimit(.minutes(15)))
struct BoundTokenTests {
    /// Someone who can UPDATE connections points base_url at a listener of theirs: the token no longer
    /// decrypts, so no worker sends it there.
    @Test func aChangedBaseURLMakesTheTokenUseless() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let store = ConnectionStore(pool: pool, cipher: try TokenCipher(base64Key: Data(repeating: 4, count: 32).base64EncodedString()))
        let saved = try await store.add(name: "prod", baseURL: "https://api.metronome.com", token: "tok-1", rateLimit: 8, customerBatchSize: 25)
        #expect(try store.clientConfiguration(for: saved).token.secret == "tok-1")
        try await pool.query("UPDATE connections SET base_url = 'https://attacker.example' WHERE id = $1", [saved.id])
        let moved = try await store.named("prod")
        #expect(throws: TokenCipher.KeyError.self) { try store.clientConfiguration(for: moved) }
        // Plain http to another machine is refused outright.
        try await pool.query("UPDATE connections SET base_url = 'http://api.metronome.com' WHERE id = $1", [saved.id])
        let plain = try await store.named("prod")
        #expect(throws: TokenDestination.Refused.self) { try store.clientConfiguration(for: plain) }
        await #expect(throws: TokenDestination.Refused.self) {
            try await store.add(name: "plain", baseURL: "http://metronome.example", token: "t", rateLimit: 8, customerBatchSize: 25)
        }
        await pool.close()
    }

    /// Tokens saved before binding are not used until sealed again, which a worker's start does.
    @Test func legacyTokensAreSealedAgainBound() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let cipher = try TokenCipher(base64Key: Data(repeating: 5, count: 32).base64EncodedString())
        let store = ConnectionStore(pool: pool, cipher: cipher)
        try await pool.query(
            "INSERT INTO connections (name, base_url, token_ciphertext, token_format) VALUES ('old', 'https://api.metronome.com', $1, 1)",
            [try cipher.sealLegacy("legacy-token")])
        let legacy = try await store.named("old")
        #expect(throws: ConnectionStore.StoreError.self) { try store.clientConfiguration(for: legacy) }
        #expect(try await store.upgradeLegacyTokens() == 1)
        #expect(try await store.upgradeLegacyTokens() == 0)
        #expect(try store.clientConfiguration(for: try await store.named("old")).token.secret == "legacy-token")
        await pool.close()
    }
}
