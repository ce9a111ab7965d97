/// The numbers a long-context recipe is judged by: of a bucket's (or a source's) document
/// tokens, how many come from documents of at least T tokens, for a few thresholds T, plus the
/// whole documents' length distribution (for percentiles).
///
/// A document's length is its whole length (EOS included), so every part of a split document
/// counts as long when the document is: a 40K-token book chunked into 16K sequences is 100% long
/// at every threshold up to 32K. Memory: one counter per threshold and one per distinct length.
public struct LongTokenTally: Sendable, Equatable {
    /// The default thresholds: 2K, 4K, 8K, 16K and 32K tokens.
    public static let defaultThresholds = [2048, 4096, 8192, 16384, 32768]

    public let thresholds: [Int]
    /// Document tokens counted (the denominator of the shares).
    public private(set) var tokens = 0
    /// `longTokens[i]`: tokens of documents of at least `thresholds[i]` tokens.
    public private(set) var longTokens: [Int]
    /// Whole documents counted once each (the parts of a split one are joined first).
    public private(set) var documentLengths = LengthDistribution(counts: [:])

    public init(thresholds: [Int] = LongTokenTally.defaultThresholds) {
        self.thresholds = thresholds.sorted()
        longTokens = [Int](repeating: 0, count: thresholds.count)
    }

    /// `tokens` of a document of `documentLength` tokens (all of it, or one of its parts).
    public mutating func add(tokens: Int, documentLength: Int) {
        self.tokens += tokens
        for (i, threshold) in thresholds.enumerated() where documentLength >= threshold { longTokens[i] += tokens }
    }

    /// One document for the length percentiles.
    public mutating func addDocument(length: Int) { documentLengths.add(length) }

    public mutating func merge(_ other: LongTokenTally) {
        precondition(other.thresholds == thresholds, "merging tallies of different thresholds")
        tokens += other.tokens
        for i in longTokens.indices { longTokens[i] += other.longTokens[i] }
        documentLengths.merge(other.documentLengths)
    }

    /// Share of the tokens in documents of at least `threshold` tokens; nil when `threshold` is
    /// not one of the tally's thresholds.
    public func share(atLeast threshold: Int) -> Double? {
        guard let i = thresholds.firstIndex(of: threshold) else { return nil }
        return tokens == 0 ? 0 : Double(longTokens[i]) / Double(tokens)
    }

    public var shares: [(threshold: Int, tokens: Int, share: Double)] {
        thresholds.indices.map { (thresholds[$0], longTokens[$0], tokens == 0 ? 0 : Double(longTokens[$0]) / Double(tokens)) }
    }
}
