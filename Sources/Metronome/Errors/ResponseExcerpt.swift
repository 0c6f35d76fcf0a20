/// A short, log-safe excerpt of a response body.
///
/// Bodies are untrusted: a proxy or a misbehaving server could echo request headers back, so the
/// token is scrubbed, control characters are flattened and the length is capped. Scrubbing runs
/// on a prefix long enough that a token straddling the cut cannot leak half of itself.
enum ResponseExcerpt {
    static let maxCharacters = 160

    static func make(_ bytes: some Collection<UInt8>, token: String) -> String {
        let window = maxCharacters * 4 + token.utf8.count
        var text = String(decoding: bytes.prefix(window), as: UTF8.self)
        if !token.isEmpty {
            text = text.replacing(token, with: "<redacted>")
        }
        text = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }
            )
        )
        if text.count > maxCharacters {
            text = String(text.prefix(maxCharacters)) + "…"
        }
        return text
    }
}
