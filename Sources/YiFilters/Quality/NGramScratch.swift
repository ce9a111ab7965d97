import YiCore

/// Prefix sums over a document's tokens that give any n-gram's hash and character length in
/// O(1), and the per-document tables for the top and duplicated n-gram measures.
///
/// Speed: an n-gram can occur twice only where its (n−1)-gram prefix does. After a counting pass
/// for m-grams, positions whose m-gram is unique are skipped by every later pass with n ≥ m: they
/// can neither be the most frequent n-gram (we score only n-grams seen twice) nor equal any other
/// n-gram. In running text most 4- and 5-grams are unique, so the ten passes of Gopher's
/// defaults cost little more than the first. The results are exactly those of full passes.
struct NGramScratch {
    /// `prefixHash[i]` = Σ_{j<i} h_j · B^(i-1-j) (mod 2^64): the n-gram at i hashes to
    /// `prefixHash[i+n] − prefixHash[i]·B^n`.
    private var prefixHash: [UInt64] = []
    /// Characters of tokens before i.
    private var prefixCharacters: [Int] = []
    /// Spaces written between tokens before i (one between two spaced tokens).
    private var prefixSeparators: [Int] = []
    private var table = ScratchHashTable()
    /// Positions that may start a repeated n-gram for n ≥ `repeatedOrder` (a superset of them).
    private var mayRepeat: [Bool] = []
    private var repeatedOrder = 1
    /// Number of `true` in `mayRepeat`: sizes the tables.
    private var candidateCount = 0
    private var slots: [Int] = []
    private static let base: UInt64 = 0x100_0000_01B3 | 1

    var tokenCount: Int { prefixHash.count - 1 }

    mutating func load(_ analyzer: TextAnalyzer) {
        let count = analyzer.tokens.count
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
        analyzer.tokens.withUnsafeBufferPointer { tokens in
            for i in 0..<count {
                h = h &* NGramScratch.base &+ tokens[i].hash
                c += Int(tokens[i].characters)
                if i + 1 < count, (tokens[i].flags | tokens[i + 1].flags) & TextAnalyzer.TokenFlag.unspaced == 0 {
                    s += 1
                }
                prefixHash.append(h)
                prefixCharacters.append(c)
                prefixSeparators.append(s)
            }
        }
        mayRepeat.removeAll(keepingCapacity: true)
        mayRepeat.append(contentsOf: repeatElement(true, count: count))
        candidateCount = count
        repeatedOrder = 1
        slots.removeAll(keepingCapacity: true)
        slots.append(contentsOf: repeatElement(0, count: count))
    }

    private static func power(_ n: Int) -> UInt64 {
        var p: UInt64 = 1
        for _ in 0..<n { p = p &* NGramScratch.base }
        return p
    }

    /// Restricts `mayRepeat` to positions whose n-gram occurs at least twice (one counting pass
    /// over the current candidates). Calls with n below the current order start over.
    private mutating func narrow(to n: Int) {
        if n < repeatedOrder {
            for i in mayRepeat.indices { mayRepeat[i] = true }
            candidateCount = mayRepeat.count
            repeatedOrder = 1
        }
        guard n > repeatedOrder else { return }
        _ = countPass(n: n)
    }

    /// Counts n-grams at candidate positions, narrows the candidates to the repeated ones, and
    /// returns the most frequent n-gram's count and first position.
    private mutating func countPass(n: Int) -> (count: UInt32, first: Int) {
        let positions = tokenCount - n + 1
        guard positions > 0 else {
            for i in mayRepeat.indices { mayRepeat[i] = false }
            candidateCount = 0
            repeatedOrder = n
            return (0, 0)
        }
        let power = Self.power(n)
        table.reset(expectedKeys: min(positions, candidateCount))
        var repeatedCount = 0
        var bestCount: UInt32 = 0
        var bestFirst: UInt32 = 0
        prefixHash.withUnsafeBufferPointer { prefix in
            mayRepeat.withUnsafeMutableBufferPointer { candidates in
                slots.withUnsafeMutableBufferPointer { slots in
                    for i in 0..<positions where candidates[i] {
                        let key = SplitMix64.mix(prefix[i + n] &- prefix[i] &* power)
                        let (count, first, slot) = table.increment(key, index: UInt32(truncatingIfNeeded: i))
                        slots[i] = slot
                        if count > bestCount || (count == bestCount && first < bestFirst) {
                            bestCount = count
                            bestFirst = first
                        }
                    }
                    for i in 0..<positions where candidates[i] {
                        candidates[i] = table.count(atSlot: slots[i]) >= 2
                        if candidates[i] { repeatedCount += 1 }
                    }
                    for i in positions..<candidates.count { candidates[i] = false }
                }
            }
        }
        repeatedOrder = n
        candidateCount = repeatedCount
        return (bestCount, Int(bestFirst))
    }

    /// Characters covered by all occurrences of the most frequent n-gram (ties: the one seen
    /// first, as Python's `Counter.most_common(1)`), counting written spaces. 0 when no n-gram
    /// occurs twice: datatrove counts a lone n-gram too, which drops short texts (a 4-gram is
    /// 20% of a 100-character text) for a repetition they do not have.
    mutating func topNGramCharacters(n: Int) -> Int {
        guard n > 0 else { return 0 }
        if n <= repeatedOrder { narrow(to: 1) }   // counts of n itself are needed: start over
        let (count, f) = countPass(n: n)
        guard count > 1 else { return 0 }
        let length = prefixCharacters[f + n] - prefixCharacters[f] + prefixSeparators[f + n - 1] - prefixSeparators[f]
        return length * Int(count)
    }

    /// Characters (without spaces) of n-grams that repeat an earlier n-gram, scanning from the
    /// left and jumping past each repeat (datatrove's `find_all_duplicate`).
    mutating func duplicateNGramCharacters(n: Int) -> Int {
        let positions = tokenCount - n + 1
        guard n > 0, positions > 0 else { return 0 }
        narrow(to: n)
        let power = Self.power(n)
        table.reset(expectedKeys: min(positions, candidateCount))
        var repeated = 0
        var i = 0
        prefixHash.withUnsafeBufferPointer { prefix in
            mayRepeat.withUnsafeBufferPointer { candidates in
                while i < positions {
                    // A unique n-gram is new, and no later n-gram can equal it.
                    if !candidates[i] || table.insert(SplitMix64.mix(prefix[i + n] &- prefix[i] &* power)) {
                        i += 1
                    } else {
                        repeated += prefixCharacters[i + n] - prefixCharacters[i]
                        i += n
                    }
                }
            }
        }
        return repeated
    }
}
