/// FNV-1a, 64 bits: a hash that is the same in every process (Swift's `Hasher` is seeded per run),
/// for cursors and the served-pages ledger.
enum StableHash {
    static func fnv1a(_ text: String, basis: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var hash = basis
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
