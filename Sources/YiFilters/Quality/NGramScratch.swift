/// Prefix sums over a document's tokens that give any n-gram's hash and character length in
/// O(1), and the per-document tables for the top and duplicated n-gram measures.
struct NGramScratch {
    /// `prefixHash[i]` = Σ_{j<i} h_j · B^(i-1-j) (mod 2^64): the n-gram at i hashes to
    /// `prefixHash[i+n] − prefixHash[i]·B^n`.
    private var prefixHash: [UInt64] = []
    /// Characters of tokens before i.
    private var prefixCharacters: [Int] = []
    /// Spaces written between tokens before i (one between two spaced tokens).
    private var prefixSeparators: [Int] = []
    private var table = ScratchHashTable()
    private static let base: UInt64 = 0x100_0000_01B3 | 1

    var tokenCount: Int { prefixHash.count - 1 }

    mutating func load(_ analyzer: TextAnalyzer) {
        let hashes = analyzer.tokenHashes
        let characters = analyzer.tokenCharacters
        let flags = analyzer.tokenFlags
        let count = hashes.count
        prefixHash.removeAll(keepingCapacity: true)
        prefixCharacters.removeAll(keepingCapacity: true)
        prefixSeparators.removeAll(keepingCapacity: true)
        prefixHash.reserveCapacity(count + 1)
        prefixCharacters.reserveCapacity(count + 1)
        prefixSeparators.reserveCapacity(count + 1)
        var h: UInt64 = 0
        var c = 0
        var s = 0
        prefixHash.append(0)
        prefixCharacters.append(0)
        prefixSeparators.append(0)
        for i in 0..<count {
            h = h &* NGramScratch.base &+ hashes[i]
            c += Int(characters[i])
            if i + 1 < count,
               (flags[i] | flags[i + 1]) & TextAnalyzer.TokenFlag.unspaced == 0 {
                s += 1
            }
            prefixHash.append(h)
            prefixCharacters.append(c)
            prefixSeparators.append(s)
        }
    }

    @inline(__always)
    private func power(_ n: Int) -> UInt64 {
        var p: UInt64 = 1
        for _ in 0..<n { p = p &* NGramScratch.base }
        return p
    }

    @inline(__always)
    private func key(_ i: Int, _ n: Int, _ power: UInt64) -> UInt64 {
        SplitMix64.mix(prefixHash[i + n] &- prefixHash[i] &* power)
    }

    /// Characters covered by all occurrences of the most frequent n-gram (ties: the one seen
    /// first, as Python's `Counter.most_common(1)`), counting written spaces. 0 when no n-gram
    /// occurs twice: datatrove counts a lone n-gram too, which drops short texts (a 4-gram is
    /// 20% of a 100-character text) for a repetition they do not have.
    mutating func topNGramCharacters(n: Int) -> Int {
        let positions = tokenCount - n + 1
        guard n > 0, positions > 0 else { return 0 }
        let power = power(n)
        table.reset(expectedKeys: positions)
        var bestCount: UInt32 = 0
        var bestFirst: UInt32 = 0
        for i in 0..<positions {
            let (count, first) = table.increment(key(i, n, power), index: UInt32(truncatingIfNeeded: i))
            if count > bestCount || (count == bestCount && first < bestFirst) {
                bestCount = count
                bestFirst = first
            }
        }
        guard bestCount > 1 else { return 0 }   // an n-gram seen once is no repetition
        let f = Int(bestFirst)
        let length = prefixCharacters[f + n] - prefixCharacters[f] + prefixSeparators[f + n - 1] - prefixSeparators[f]
        return length * Int(bestCount)
    }

    /// Characters (without spaces) of n-grams that repeat an earlier n-gram, scanning from the
    /// left and jumping past each repeat (datatrove's `find_all_duplicate`).
    mutating func duplicateNGramCharacters(n: Int) -> Int {
        let positions = tokenCount - n + 1
        guard n > 0, positions > 0 else { return 0 }
        let power = power(n)
        table.reset(expectedKeys: positions)
        var repeated = 0
        var i = 0
        while i < positions {
            if table.insert(key(i, n, power)) {
                i += 1
            } else {
                repeated += prefixCharacters[i + n] - prefixCharacters[i]
                i += n
            }
        }
        return repeated
    }
}
