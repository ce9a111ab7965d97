/// SplitMix64 (Steele, Lea & Flood 2014): a tiny PRNG whose output is fixed by this code alone, so a
/// `--seed` gives the same evaluation set on every platform and Swift version (the standard
/// library's `random(in:using:)` does not promise a stable mapping).
public struct EvalRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one sample, independent of how many other samples or lengths are generated.
    public init(seed: UInt64, streams: [UInt64]) {
        state = seed
        for stream in streams {
            var step = EvalRandom(seed: next() ^ (stream &* 0x9E37_79B9_7F4A_7C15))
            state = step.next()
        }
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (rejection sampling, no modulo bias).
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "empty range")
        let limit = UInt64(bound)
        let threshold = (0 &- limit) % limit
        while true {
            let value = next()
            if value >= threshold { return Int(value % limit) }
        }
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[next(below: items.count)] }
}
