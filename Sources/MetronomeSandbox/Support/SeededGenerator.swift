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
        // Written straight into the string's storage: invoices get their ids on every request that
        // lists them, so this runs far more often than once per account.
        return String(unsafeUninitializedCapacity: 36) { text in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = index < 8 ? high : low
                var byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(7 - index % 8)))
                if index == 6 { byte = (byte & 0x0F) | 0x40 }
                if index == 8 { byte = (byte & 0x3F) | 0x80 }
                text[position] = digits.utf8Start[Int(byte >> 4)]
                text[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }

    /// A stateless 64-bit mix of several values: per-item decisions that must not depend on the
    /// order in which items are generated or served.
    public static func mix(_ values: UInt64...) -> UInt64 {
        var mixer = Mixer()
        for value in values { mixer.add(value) }
        return mixer.result
    }

    /// ``mix(_:)`` of three values without the variadic array.
    static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        var mixer = Mixer()
        mixer.add(a)
        mixer.add(b)
        mixer.add(c)
        return mixer.result
    }

    /// ``mix(_:)`` of five values without the variadic array: every usage value and invoice id of
    /// an account is derived this way, when it is asked for.
    static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64, _ e: UInt64) -> UInt64 {
        var mixer = Mixer()
        mixer.add(a)
        mixer.add(b)
        mixer.add(c)
        mixer.add(d)
        mixer.add(e)
        return mixer.result
    }

    /// The state of one ``mix(_:)``: each value is folded into a SplitMix64 step.
    private struct Mixer {
        var generator = SeededGenerator(seed: 0x51_7C_C1_B7_27_22_0A_95)
        var result: UInt64 = 0

        mutating func add(_ value: UInt64) {
            generator.state ^= value &+ result
            result = generator.next()
        }
    }
}
