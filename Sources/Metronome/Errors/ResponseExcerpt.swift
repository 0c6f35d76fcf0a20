/// A short, log-safe excerpt of a response body.
///
/// Bodies are untrusted: a proxy or a misbehaving server could echo request headers back, so the
/// token is scrubbed, control characters are flattened and the length is capped. Scrubbing runs on a
/// generous prefix, and whatever start of the token is left at a cut is dropped too: a character can
/// take any number of bytes (an emoji family, combining marks), so no byte count covers 160 of them.
enum ResponseExcerpt {
    static let maxCharacters = 160
    static let scannedBytes = 65_536

    static func make(_ bytes: some Collection<UInt8>, token: String) -> String {
        let window = scannedBytes + token.utf8.count
        var text = String(decoding: bytes.prefix(window), as: UTF8.self)
        if !token.isEmpty {
            text = text.replacing(token, with: "<redacted>")
        }
        text = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }
            )
        )
        var cut = false
        if text.count > maxCharacters {
            text = String(text.prefix(maxCharacters))
            cut = true
        }
        if bytes.count > window { cut = true }
        if !token.isEmpty {
            // The start of a token the cut went through (or that the body ends with).
            for length in stride(from: min(token.count, text.count), through: cut ? 1 : 4, by: -1)
            where text.hasSuffix(token.prefix(length)) {
                text.removeLast(length)
                break
            }
        }
        return cut ? text + "…" : text
    }
}
