import YiCore

/// `SplitMix64` with independent per-sample streams and bias-free choices, so a `--seed` gives the
/// same evaluation set on every platform and Swift version (the standard library's
/// `random(in:using:)` does not promise a stable mapping).
public struct EvalRandom: Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// A generator for one sample, independent of how many other samples or lengths are generated.
    public init(seed: UInt64, streams: [UInt64]) {
        self.init(seed: seed)
        for stream in streams {
            var step = SplitMix64(seed: next() ^ (stream &* 0x9E37_79B9_7F4A_7C15))
            generator = SplitMix64(seed: step.next())
        }
    }

    public mutating func next() -> UInt64 { generator.next() }

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
