import ArgumentParser
import CommandSupport
import Foundation
import Importer

struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Manage the key that encrypts stored Metronome tokens.",
        subcommands: [RotateKey.self])

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Re-encrypt every stored token under a new key, in one transaction.",
            discussion: """
                The current key comes from METERBRIDGE_SECRET_KEY, the new one from a file (base64 of 32 random \
                bytes: head -c 32 /dev/urandom | base64 > new.key). Afterwards, set METERBRIDGE_SECRET_KEY to the \
                new key everywhere and restart workers (docs/operations.md, "Rotating the secret key").

                Example:
                  METERBRIDGE_SECRET_KEY=<old key> meterbridge secrets rotate-key --new-key-file new.key
                """)
        @Option(help: "File holding the new key (base64, 32 bytes).") var newKeyFile: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: newKeyFile) else {
                throw CLIError("cannot read the key file \(newKeyFile)")
            }
            let newCipher = try TokenCipher(base64Key: String(decoding: data, as: UTF8.self))
            let count = try await CLIContext.run(database) { context in
                try await context.connections.rotateKey(to: newCipher)
            }
            print("Re-encrypted \(count) token(s). Set METERBRIDGE_SECRET_KEY to the new key everywhere now.")
        }
    }
}
