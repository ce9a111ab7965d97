import Foundation
import YiCore

/// MinHash + LSH parameters for near-duplicate detection.
///
/// A document becomes the set of its n-gram *shingles* (word or character n-grams of the
/// lowercased text without punctuation); `bands × rowsPerBand` min-hashes summarize the set, and
/// two documents become candidates when all rows of some band agree. The chance of that for
/// Jaccard similarity s is `1 − (1 − s^r)^b`, an S-curve whose midpoint `(1/b)^(1/r)` is the
/// `estimatedThreshold`.
public struct MinHashOptions: Sendable, Equatable {
    public enum Unit: String, Sendable, CaseIterable {
        /// Words (each Han/Kana character one word): robust to spacing and punctuation changes.
        case word
        /// Characters (whitespace runs as one space): for text without reliable word boundaries.
        case character
    }

    public var unit: Unit
    /// Units per shingle.
    public var ngram: Int
    public var bands: Int
    public var rowsPerBand: Int
    /// Seeds the hash permutations; results are identical for identical seeds.
    public var seed: UInt64
    /// Upper bound for the band table (nil: unlimited). See `FirstSeenTable` for what happens
    /// when it is reached.
    public var memoryLimitBytes: Int?

    /// Defaults: word 5-grams (as datatrove and most web-corpus recipes) and 32 bands × 4 rows
    /// (128 permutations, threshold ≈ 0.42). Changing 5% of a document's words leaves about 77%
    /// of its 5-grams intact (Jaccard ≈ 0.63), caught with probability 0.996; moving a paragraph
    /// barely changes the set. Pairs at Jaccard 0.3 collide with probability 0.23, at 0.1 with
    /// 0.003. datatrove's 14 × 8 (threshold ≈ 0.72) aims at closer copies: it catches only ~60%
    /// of 5%-edited documents (see `NearDedupRecallTests`).
    public init(unit: Unit = .word, ngram: Int = 5, bands: Int = 32, rowsPerBand: Int = 4, seed: UInt64 = 0x5EED,
                memoryLimitBytes: Int? = nil) {
        self.unit = unit
        self.ngram = ngram
        self.bands = bands
        self.rowsPerBand = rowsPerBand
        self.seed = seed
        self.memoryLimitBytes = memoryLimitBytes
    }

    /// The accepted values, for pipeline files and `yi-prep dedup` alike: beyond them the
    /// signatures grow without purpose (and `bands × rows` could overflow).
    public static let ngramRange = 1...64
    public static let bandsRange = 1...4096
    public static let rowsRange = 1...64
    public static let permutationsRange = 1...4096

    public var permutations: Int { bands * rowsPerBand }

    /// The Jaccard similarity at which a pair is caught with probability about 1/2.
    public var estimatedThreshold: Double { pow(1 / Double(bands), 1 / Double(rowsPerBand)) }

    /// Probability that a pair with Jaccard similarity `s` shares at least one band.
    public func candidateProbability(jaccard s: Double) -> Double {
        1 - pow(1 - pow(s, Double(rowsPerBand)), Double(bands))
    }

    /// The (bands, rows) with `bands × rows ≤ permutations` that minimise the sum of the
    /// false-positive area (below `threshold`) and the false-negative area (above it) of the
    /// S-curve, as datasketch's `MinHashLSH` chooses them.
    public static func bandsAndRows(threshold: Double, permutations: Int) -> (bands: Int, rows: Int) {
        func area(_ from: Double, _ to: Double, _ f: (Double) -> Double) -> Double {
            let steps = 200
            let h = (to - from) / Double(steps)
            var sum = 0.0
            for i in 0...steps {
                let weight = i == 0 || i == steps ? 0.5 : 1.0
                sum += weight * f(from + Double(i) * h)
            }
            return sum * h
        }
        var best = (bands: 1, rows: permutations, error: Double.infinity)
        for bands in 1...max(1, permutations) {
            for rows in 1...max(1, permutations / bands) {
                let p = { (s: Double) in 1 - pow(1 - pow(s, Double(rows)), Double(bands)) }
                let error = area(0, threshold, p) + area(threshold, 1) { 1 - p($0) }
                if error < best.error { best = (bands, rows, error) }
            }
        }
        return (best.bands, best.rows)
    }
}

/// Computes MinHash signatures: permutation i maps a shingle hash x (already mixed to 64 random
/// bits) to `aᵢ·x + bᵢ (mod 2⁶⁴)` with odd aᵢ — a bijection, drawn from SplitMix64(seed) — and
/// keeps the minimum. The loop over permutations has no branches, so it vectorizes.
struct MinHasher {
    let options: MinHashOptions
    private let multipliers: [UInt64]
    private let increments: [UInt64]
    private(set) var signature: [UInt64]
    /// Shingles of the last document.
    private(set) var shingles = 0
    private var window: [UInt64]

    init(options: MinHashOptions) {
        self.options = options
        var rng = SplitMix64(seed: options.seed)
        multipliers = (0..<options.permutations).map { _ in rng.next() | 1 }
        increments = (0..<options.permutations).map { _ in rng.next() }
        signature = [UInt64](repeating: .max, count: options.permutations)
        window = [UInt64](repeating: 0, count: max(1, options.ngram))
    }

    /// Fills `signature` for `text`; returns false when the text has no unit at all.
    mutating func compute(_ text: String) -> Bool {
        for i in signature.indices { signature[i] = .max }
        shingles = 0
        let n = max(1, options.ngram)
        var power: UInt64 = 1
        for _ in 0..<n { power = power &* Self.base }
        var rolling: UInt64 = 0
        var units = 0
        DedupText.forEachUnit(text, unit: options.unit) { unit in
            let slot = units % n
            rolling = rolling &* Self.base &+ unit
            if units >= n { rolling = rolling &- window[slot] &* power }
            window[slot] = unit
            units += 1
            if units >= n { add(SplitMix64.mix(rolling)) }
        }
        if units > 0 && units < n { add(SplitMix64.mix(rolling)) }   // short text: one shingle of all units
        return units > 0
    }

    private static let base: UInt64 = 0x9E37_79B9_7F4A_7C15 | 1

    @inline(__always)
    private mutating func add(_ x: UInt64) {
        shingles += 1
        multipliers.withUnsafeBufferPointer { a in
            increments.withUnsafeBufferPointer { b in
                signature.withUnsafeMutableBufferPointer { sig in
                    for i in 0..<sig.count { sig[i] = min(sig[i], a[i] &* x &+ b[i]) }
                }
            }
        }
    }

    /// The key of band `band`: a hash of its rows, seeded by the band index so that equal rows in
    /// different bands do not meet in the shared table.
    func bandKey(_ band: Int) -> UInt64 {
        signature.withUnsafeBytes { bytes in
            let rows = options.rowsPerBand
            let start = band * rows * 8
            return XXHash64.hash(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + rows * 8)]),
                                 seed: UInt64(band) &+ options.seed)
        }
    }

    /// Estimated Jaccard similarity of two signatures (fraction of equal entries).
    static func similarity(_ a: [UInt64], _ b: [UInt64]) -> Double {
        Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count)
    }
}
