import YiCore

/// The per-document random draw of the mix, and the histogram that calibrates it.
///
/// Every document gets a uniform number u ∈ [0, 1) from SplitMix64(seed, source, key) only. A
/// document of rate r is emitted ⌊r⌋ times, plus once more when u is below its class's cutoff.
/// Uncalibrated, the cutoff is frac(r): independent Bernoulli sampling, shares exact in
/// expectation but, for a few thousand documents of very different lengths, off by percents.
///
/// The counting pass records, per source and length class, the mass (tokens or documents) in
/// each of `bins` intervals of u. The plan then puts each cutoff on a bin boundary — where the
/// histogram knows the kept mass exactly — choosing the long class's boundary next to its
/// expected mass (below or above) and the short class's boundary so that the source's total kept
/// mass is nearest its target: the few large long documents' granularity is absorbed by the many
/// short ones.
/// Decisions stay a pure function of (seed, source, key, tokens, plan) — independent of threads,
/// order and ranks — and a source's realized mass is off by at most about one bin of its short
/// documents (or one document, whichever is larger).
public struct MixCalibration: Sendable, Equatable {
    /// Histogram resolution: the residual error is about one bin's mass (≈ one document).
    public static let bins = 4096
    private(set) var shortMass: [Double]
    private(set) var longMass: [Double]

    public init() {
        shortMass = [Double](repeating: 0, count: Self.bins)
        longMass = [Double](repeating: 0, count: Self.bins)
    }

    mutating func add(u: Double, mass: Double, isLong: Bool) {
        let bin = min(Self.bins - 1, Int(u * Double(Self.bins)))
        if isLong { longMass[bin] += mass } else { shortMass[bin] += mass }
    }

    public mutating func merge(_ other: MixCalibration) {
        for i in 0..<Self.bins {
            shortMass[i] += other.shortMass[i]
            longMass[i] += other.longMass[i]
        }
    }

    /// Kept mass of the class for each bin boundary b/bins, b = 0...bins.
    func cumulativeMass(long: Bool) -> [Double] {
        var sums = [0.0]
        sums.reserveCapacity(Self.bins + 1)
        for mass in long ? longMass : shortMass { sums.append(sums.last! + mass) }
        return sums
    }

    /// The boundary b (cutoff b/bins) whose cumulative mass is nearest `target`.
    static func nearest(_ sums: [Double], _ target: Double) -> Int {
        var best = 0
        for b in 1..<sums.count where abs(sums[b] - target) < abs(sums[best] - target) { best = b }
        return best
    }

    /// Cutoffs for the short and long classes whose kept masses sum nearest `total`, with the
    /// long class near `longTarget`: its nearest boundary below and above are both tried, and
    /// the short class (many small documents) makes up the difference.
    func cutoffs(longTarget: Double, total: Double) -> (short: Double, long: Double) {
        let long = cumulativeMass(long: true), short = cumulativeMass(long: false)
        let below = long.lastIndex { $0 <= longTarget } ?? 0
        let above = long.firstIndex { $0 >= longTarget } ?? Self.bins
        var best: (error: Double, short: Int, long: Int)?
        for b in Set([below, above]).sorted() {
            let s = Self.nearest(short, total - long[b])
            let error = abs(long[b] + short[s] - total)
            if best == nil || error < best!.error { best = (error, s, b) }
        }
        return (Double(best!.short) / Double(Self.bins), Double(best!.long) / Double(Self.bins))
    }

    /// The document's uniform draw.
    @inline(__always)
    static func draw(sourceKey: UInt64, key: UInt64) -> Double {
        SplitMix64.unitInterval(SplitMix64.mix(sourceKey &+ key &* 0x9E37_79B9_7F4A_7C15))
    }

    static func sourceKey(seed: UInt64, source: String) -> UInt64 {
        SplitMix64.mix(seed ^ XXHash64.hash(source, seed: 0x6D69_78))
    }
}
