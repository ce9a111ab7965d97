import Foundation
import YiCore

/// Continuous distributions on the shared seeded generator, so the synthetic corpora below are
/// fixed by their seed on every platform.
extension SplitMix64 {
    /// Uniform in (0, 1): 53 random bits, never 0 (the Box-Muller logarithm needs that).
    mutating func unit() -> Double {
        (Double(next() >> 11) + 0.5) / Double(1 << 53)
    }

    /// Standard normal by Box-Muller (one of the pair; simple and deterministic).
    mutating func normal() -> Double {
        let u = unit(), v = unit()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }

    mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * Foundation.exp(sigma * normal())
    }
}

/// Document lengths in tokens (EOS included) shaped like a web + books + papers corpus:
/// a lognormal body of short web pages, a band of longer articles and a heavy tail of books and
/// papers (10K to 100K+ tokens). Mean about 2K tokens.
enum SyntheticCorpus {
    static func documentLengths(count: Int, seed: UInt64) -> [Int] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let kind = random.unit()
            let length: Double
            if kind < 0.90 {
                length = random.logNormal(median: 700, sigma: 1.1)     // web pages, mean ~1.3K
            } else if kind < 0.98 {
                length = random.logNormal(median: 3_000, sigma: 0.8)   // articles, mean ~4.1K
            } else {
                length = random.logNormal(median: 20_000, sigma: 0.9)  // books, papers: mean ~30K
            }
            return Int(min(max(length.rounded(), 2), 400_000))
        }
    }

    /// A document of `length` tokens ending with EOS (2); the content is irrelevant to fill tests.
    static func document(length: Int) -> [TokenID] {
        var tokens = [TokenID](repeating: 7, count: length)
        tokens[length - 1] = 2
        return tokens
    }
}
