/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, statistically good 64-bit generator.
///
/// Used for everything random in yi-prep (MinHash permutations, sampling decisions, evaluation
/// sets, test data) because its output is fixed by the seed alone — the same on every run,
/// machine, thread count and Swift version (the standard library's `random(in:using:)` does not
/// promise a stable mapping, so callers that need stable values map the raw outputs themselves).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function: a bijective avalanche of 64 bits. Also used on its own
    /// as a stateless "random function" of a key (`mix(seed ^ key)`).
    @inlinable @inline(__always)
    public static func mix(_ x0: UInt64) -> UInt64 {
        var z = x0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) from the top 53 bits of a 64-bit value.
    @inlinable @inline(__always)
    public static func unitInterval(_ x: UInt64) -> Double {
        Double(x >> 11) * 0x1.0p-53
    }
}
