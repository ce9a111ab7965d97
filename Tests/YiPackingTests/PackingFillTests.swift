import Testing
import Foundation
import YiCore
@testable import YiPacking

@Suite struct PackingFillTests {
    static func pack(_ lengths: [Int], options: PackingOptions) throws -> PackingStatistics {
        let packer = try Packer(options: options)
        for (ordinal, length) in lengths.enumerated() {
            _ = packer.add(tokens: SyntheticCorpus.document(length: length), ordinal: ordinal, sourceIndex: 0)
        }
        _ = packer.finish()
        return packer.statistics
    }

    static func describe(_ statistics: PackingStatistics) -> String {
        statistics.buckets.map { b in
            String(format: "len-%d: %d seq, fill %.5f, pad %.4f%%, spans/seq %.2f, cross-in %d tok, routed %d tok, split %d",
                   b.length, b.sequences, b.fillRatio, 100 * (1 - b.fillRatio), b.meanSpansPerSequence,
                   b.crossFilledTokens, b.routedTokens, b.splitDocuments)
        }.joined(separator: "\n")
    }

    @Test func explore() throws {
        let lengths = SyntheticCorpus.documentLengths(count: 20_000, seed: 42)
        print("docs \(lengths.count) tokens \(lengths.reduce(0, +)) mean \(lengths.reduce(0, +) / lengths.count)")
        for crossFill in [false, true] {
            for windowSeq in [16, 64] {
                for maxOpen in [16, 64] {
                    let options = PackingOptions(lengths: [8192, 16384],
                                                 strategy: .bestFit(window: .tokens(windowSeq * 16384)),
                                                 crossFill: crossFill, maxOpenSequences: maxOpen)
                    let start = Date()
                    let stats = try Self.pack(lengths, options: options)
                    print("crossFill \(crossFill) window \(windowSeq) maxOpen \(maxOpen) (\(Date().timeIntervalSince(start))s)\n" + Self.describe(stats))
                }
            }
        }
    }
}
