import Testing
import YiCore
@testable import YiFilters

/// The pruned n-gram passes against a direct implementation of datatrove's definitions.
@Suite struct NGramTests {
    struct Reference {
        var hashes: [UInt64], characters: [Int], unspaced: [Bool]

        init(_ analyzer: TextAnalyzer) {
            hashes = analyzer.tokenHashes
            characters = analyzer.tokenCharacters.map(Int.init)
            unspaced = analyzer.tokenFlags.map { $0 & TextAnalyzer.TokenFlag.unspaced != 0 }
        }

        func top(_ n: Int) -> Int {
            guard hashes.count >= n else { return 0 }
            var counts: [[UInt64]: (count: Int, first: Int)] = [:]
            for i in 0...(hashes.count - n) {
                let gram = Array(hashes[i..<(i + n)])
                counts[gram, default: (0, i)].count += 1
            }
            let best = counts.values.max { $0.count != $1.count ? $0.count < $1.count : $0.first > $1.first }!
            guard best.count > 1 else { return 0 }
            var length = characters[best.first..<(best.first + n)].reduce(0, +)
            for j in best.first..<(best.first + n - 1) where !unspaced[j] && !unspaced[j + 1] { length += 1 }
            return length * best.count
        }

        func duplicate(_ n: Int) -> Int {
            var seen = Set<[UInt64]>()
            var repeated = 0, i = 0
            while i < hashes.count - n + 1 {
                let gram = Array(hashes[i..<(i + n)])
                if seen.contains(gram) {
                    repeated += characters[i..<(i + n)].reduce(0, +)
                    i += n
                } else {
                    seen.insert(gram)
                    i += 1
                }
            }
            return repeated
        }
    }

    @Test func prunedPassesEqualFullPasses() {
        let vocabulary = ["a", "b", "c", "the", "of", "cat", "和", "的", "猫", ",", "..."]
        var rng = SplitMix64(seed: 11)
        for trial in 0..<60 {
            let length = Int(rng.next() % 300)
            let size = 2 + trial % (vocabulary.count - 1)   // small vocabularies repeat a lot
            let text = (0..<length).map { _ in vocabulary[Int(rng.next() % UInt64(size))] }.joined(separator: " ")
            var analyzer = TextAnalyzer()
            _ = analyzer.analyze(text)
            let reference = Reference(analyzer)
            var scratch = NGramScratch()
            scratch.load(analyzer)
            // Gopher's order (increasing n), then out of order, then repeated sizes.
            for n in [2, 3, 4] { #expect(scratch.topNGramCharacters(n: n) == reference.top(n), "top \(n) trial \(trial)") }
            for n in 5...10 { #expect(scratch.duplicateNGramCharacters(n: n) == reference.duplicate(n), "dup \(n) trial \(trial)") }
            for n in [3, 1, 6, 2, 2] { #expect(scratch.topNGramCharacters(n: n) == reference.top(n), "top \(n) trial \(trial)") }
            for n in [12, 4, 4, 1] { #expect(scratch.duplicateNGramCharacters(n: n) == reference.duplicate(n), "dup \(n) trial \(trial)") }
        }
    }
}
