/// SplitMix64: a tiny, fast, fully specified generator, so the same seed gives the same account
/// on every platform and Swift version (the standard library's generator is not seedable).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<1` with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    /// A uniformly distributed integer in `range`, computed the same way everywhere.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }

    /// A random version-4 UUID string, lower case.
    public mutating func uuid() -> String {
        let high = next()
        let low = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(7 - index)))
            bytes[index + 8] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(7 - index)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte -> String in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
            + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }

    /// A stateless 64-bit mix of several values: per-item decisions that must not depend on the
    /// order in which items are generated or served.
    public static func mix(_ values: UInt64...) -> UInt64 {
        var generator = SeededGenerator(seed: 0x51_7C_C1_B7_27_22_0A_95)
        var result: UInt64 = 0
        for value in values {
            generator.state ^= value &+ result
            result = generator.next()
        }
        return result
    }
}
