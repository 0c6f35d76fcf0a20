#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The sandbox's opaque `next_page` cursor: a position in the result, a hop counter (so an
/// injected empty page can hand out a fresh cursor to the same position) and a hash of the query it
/// belongs to, so a cursor replayed with changed parameters is refused, as Metronome advises.
struct PageCursor: Hashable, Sendable {
    let queryHash: UInt64
    let position: Int
    let hop: Int

    var encoded: String {
        let plain = "\(String(queryHash, radix: 16)).\(position).\(hop)"
        return Data(plain.utf8).base64EncodedString()
            .replacing("+", with: "-")
            .replacing("/", with: "_")
            .replacing("=", with: "")
    }

    /// Nil when the text is not a cursor this query issued.
    static func decode(_ text: String, expectedHash: UInt64) -> PageCursor? {
        var base64 = text.replacing("-", with: "+").replacing("_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), case let plain = String(decoding: data, as: UTF8.self) else {
            return nil
        }
        let parts = plain.split(separator: ".")
        guard parts.count == 3, let hash = UInt64(parts[0], radix: 16), hash == expectedHash,
            let position = Int(parts[1]), position >= 0, let hop = Int(parts[2]), hop >= 0
        else { return nil }
        return PageCursor(queryHash: hash, position: position, hop: hop)
    }
}
