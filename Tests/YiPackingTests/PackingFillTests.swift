import Testing
import Foundation
import YiCore
import YiPacking

/// Fill ratios on a realistic, long-tailed length distribution (`SyntheticCorpus`: mean ~2K
/// tokens, 2% books/papers of 10K-100K+): routing alone leaves the 16K bucket's single long
/// documents padded; cross-filling brings its padding under 0.1% without starving the 8K bucket.
@Suite struct PackingFillTests {
    static let buckets = [8192, 16384]

    static func pack(_ lengths: [Int], _ options: PackingOptions) throws -> PackingStatistics {
        let packer = try Packer(options: options)
        var emitted = 0
        for (ordinal, length) in lengths.enumerated() {
            emitted += packer.add(tokens: SyntheticCorpus.document(length: length), ordinal: ordinal, sourceIndex: 0).count
        }
        emitted += packer.finish().count
        #expect(emitted == packer.statistics.buckets.reduce(0) { $0 + $1.sequences })
        return packer.statistics
    }

    static func report(_ label: String, _ statistics: PackingStatistics) {
        print(label)
        for b in statistics.buckets {
            print(String(format: "  len-%-5d %5d sequences  fill %.5f  padding %.4f%%  spans/seq %.2f  routed %d tok  cross-filled in %d tok  split %d",
                         b.length, b.sequences, b.fillRatio, 100 * (1 - b.fillRatio), b.meanSpansPerSequence,
                         b.routedTokens, b.crossFilledTokens, b.splitDocuments))
        }
    }

    @Test func syntheticCorpusIsLongTailed() {
        let lengths = SyntheticCorpus.documentLengths(count: 20_000, seed: 42)
        let mean = Double(lengths.reduce(0, +)) / Double(lengths.count)
        #expect(mean > 1_800 && mean < 2_400)
        let long = lengths.filter { $0 > 10_000 }.count
        #expect(long > 200 && long < 800)
        #expect(lengths.contains { $0 > 100_000 })
        #expect(lengths == SyntheticCorpus.documentLengths(count: 20_000, seed: 42))
    }

    @Test(arguments: [42, 1_234, 98_765] as [UInt64])
    func crossFillBringsPaddingUnderOnePerMille(seed: UInt64) throws {
        let lengths = SyntheticCorpus.documentLengths(count: 20_000, seed: seed)
        let crossFilled = try Self.pack(lengths, PackingOptions(lengths: Self.buckets))
        let pure = try Self.pack(lengths, PackingOptions(lengths: Self.buckets, crossFill: false))
        Self.report("seed \(seed), \(lengths.reduce(0, +)) tokens, best-fit defaults, cross-fill:", crossFilled)
        Self.report("seed \(seed), best-fit, --no-cross-fill:", pure)

        let long = 1, short = 0
        // Routing alone: each 16K sequence holds one document longer than 8K (two never fit)
        // plus chunk tails, so several percent is padding.
        #expect(pure.buckets[long].fillRatio < 0.98)
        #expect(pure.buckets[long].crossFilledTokens == 0)
        // Cross-fill: under 0.1% padding in 16K, and 8K stays as full as it was.
        #expect(crossFilled.buckets[long].fillRatio > 0.999)
        #expect(crossFilled.buckets[short].fillRatio > 0.997)
        #expect(pure.buckets[short].fillRatio > 0.997)
        // The 16K bucket's own documents are placed first, so it has about as many sequences as
        // without cross-fill, and cross-fill only fills what would have been padding.
        #expect(crossFilled.buckets[long].sequences <= pure.buckets[long].sequences * 101 / 100)
        #expect(crossFilled.buckets[long].sequences >= pure.buckets[long].sequences)
        // Not starved: the 8K bucket keeps most of its tokens (the limit is half).
        let given = crossFilled.buckets[long].crossFilledTokens
        #expect(given <= crossFilled.buckets[short].routedTokens / 2)
        #expect(crossFilled.buckets[short].documentTokens == crossFilled.buckets[short].routedTokens - given)
    }

    @Test func concatHasNoPaddingButCutsDocuments() throws {
        let lengths = SyntheticCorpus.documentLengths(count: 20_000, seed: 42)
        let statistics = try Self.pack(lengths, PackingOptions(lengths: Self.buckets, strategy: .concat))
        Self.report("seed 42, concat:", statistics)
        for bucket in statistics.buckets {
            #expect(bucket.padTokens < bucket.length)  // only the last sequence is padded
            #expect(bucket.cutDocuments > 0)
        }
    }

    /// A corpus where 16K documents leave more room than the short documents could fill: the
    /// cross-fill limit keeps half of the 8K bucket's tokens at home.
    @Test func crossFillLimitPreventsStarvation() throws {
        let lengths = (0..<2_000).map { $0 % 2 == 0 ? 9_000 : 1_000 }
        for limit in [0.0, 0.5, 1.0] {
            let statistics = try Self.pack(lengths, PackingOptions(lengths: Self.buckets, crossFillLimit: limit))
            let short = statistics.buckets[0]
            let givenAway = short.routedTokens - short.documentTokens
            #expect(Double(givenAway) <= limit * Double(short.routedTokens))
            #expect(Double(givenAway) >= (limit - 0.01) * Double(short.routedTokens))
            #expect((short.sequences > 0) == (limit < 1))
        }
    }
}
