public import ArgumentParser
import Foundation
public import TextOutput

/// `--format table|csv|json`, shared by every listing command.
extension OutputFormat: ExpressibleByArgument {}

/// Asks before a destructive change when stdin is a terminal; refuses without `--yes` otherwise.
public enum Confirmation {
    public static func confirm(_ question: String, yes: Bool) throws {
        if yes { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("\(question) Refusing without --yes when not on a terminal.")
        }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
            throw ExitCode(1)
        }
    }
}
