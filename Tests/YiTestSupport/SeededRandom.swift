/// SplitMix64 (Steele, Lea, Flood 2014): deterministic pseudo-random numbers for tests, so
/// generated data is fixed by its seed on every platform and failures reproduce.
///
/// Named `SeededRandom` (not `SplitMix64`) so it does not clash with `YiFilters.SplitMix64` in
/// test targets that import both.
public struct SeededRandom: RandomNumberGenerator {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
