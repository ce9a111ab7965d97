import YiCore

/// A proposed merge of two adjacent symbols, ordered like SentencePiece's agenda: higher piece
/// score first, then the leftmost pair.
struct MergeCandidate {
    /// rank << 32 | (UInt32.max - left): larger is better.
    var key: UInt64
    var right: Int32
    var leftSymbol: Int32
    var rightSymbol: Int32
    var merged: Int32

    @inline(__always) var left: Int { Int(UInt32.max - UInt32(truncatingIfNeeded: key)) }
}

extension SentencePieceEncoder {
    /// A symbol id that marks a frozen user-defined piece in whole-text merging: no merge rule
    /// has such an id (ids are below 2^30), so it never merges.
    static let frozenFlag: Int32 = 0x4000_0000
    /// A removed symbol in heap merging.
    static let removed = Int32.min
    /// SentencePiece stops splitting UNUSED pieces back after this depth (`kMaxBpeResegmentDepth`).
    static let maxSplitDepth = 100

    /// Splits a segment into characters, looks up their symbol ids, merges them with BPE and
    /// appends the result.
    func mergeSegment(_ segment: UnsafeMutablePointer<UInt8>, _ length: Int, into ids: inout [TokenID]) {
        reserveSymbols(length + 1)
        let symbols = self.symbols
        let count = splitCharacters(segment, length, into: symbols)
        let remaining: Int
        if count == 1 {
            remaining = 1
        } else if count <= Self.maxScanSymbols {
            remaining = mergeByScanning(count)
        } else {
            remaining = mergeWithHeap(count, recordUnusedSplits: false)
        }
        let start = ids.count
        for k in 0..<remaining {
            emitSymbol(symbols[k], segment: segment, segmentLength: length, into: &ids, segmentStart: start)
        }
    }

    /// The symbol id of each character (`OneCharLen` steps, as SentencePiece splits), or
    /// -1 - offset for a character that is no symbol. Returns the number of characters.
    @inline(__always)
    func splitCharacters(_ p: UnsafePointer<UInt8>, _ length: Int, into out: UnsafeMutablePointer<Int32>) -> Int {
        var count = 0
        var i = 0
        while i < length {
            let (id, characterLength) = characterSymbol(p + i, length - i)
            out[count] = id >= 0 ? id : -1 - Int32(i)
            count += 1
            i += characterLength
        }
        return count
    }

    /// The symbol id (or -1) and byte length of the character at `p`.
    @inline(__always)
    func characterSymbol(_ p: UnsafePointer<UInt8>, _ remaining: Int) -> (id: Int32, length: Int) {
        let byte = p[0]
        if byte < 0x80 { return (model.bmpSymbols.base[Int(byte)], 1) }
        let length = min(SentencePieceUTF8.oneCharLength(byte), remaining)
        if SentencePieceUTF8.validCharLength(p, remaining) == length {
            let cp = SentencePieceUTF8.codePoint(p, length)
            if cp < 0x10000 { return (model.bmpSymbols.base[Int(cp)], length) }
        }
        return (model.symbols.lookup(p, length), length)
    }

    /// The merge of two adjacent symbols as (merged id << 32 | rank), or 0. Unknown and frozen
    /// symbols have ids no rule mentions, so they never merge.
    @inline(__always)
    func pairValue(_ left: Int32, _ right: Int32) -> UInt64 {
        model.merges.lookup(left, right)
    }

    /// BPE on a short symbol array: find the best pair by scanning, merge it, shift the tail
    /// left. O(n^2) but with tiny constants; returns the number of symbols left.
    func mergeByScanning(_ initialCount: Int) -> Int {
        let symbols = self.symbols
        let pairs = self.pairs
        var count = initialCount
        for k in 0..<(count - 1) { pairs[k] = pairValue(symbols[k], symbols[k + 1]) }
        while count > 1 {
            var best = -1
            var bestRank: UInt32 = 0
            for k in 0..<(count - 1) {
                let rank = UInt32(truncatingIfNeeded: pairs[k])
                if rank > bestRank {
                    bestRank = rank
                    best = k
                }
            }
            if best < 0 { break }
            symbols[best] = Int32(truncatingIfNeeded: pairs[best] >> 32)
            var k = best + 1
            while k < count - 1 {
                symbols[k] = symbols[k + 1]
                k += 1
            }
            k = best + 1
            while k < count - 2 {
                pairs[k] = pairs[k + 1]
                k += 1
            }
            count -= 1
            if best > 0 { pairs[best - 1] = pairValue(symbols[best - 1], symbols[best]) }
            if best < count - 1 { pairs[best] = pairValue(symbols[best], symbols[best + 1]) }
        }
        return count
    }

    /// BPE with a priority queue and a linked list (SentencePiece's algorithm, on ids). Leaves
    /// the surviving symbols compacted at the front of `symbols` and returns their number.
    /// With `recordUnusedSplits`, remembers for each proposed UNUSED merge its two halves, in
    /// proposal order, as SentencePiece's `rev_merge` does.
    func mergeWithHeap(_ count: Int, recordUnusedSplits: Bool) -> Int {
        let symbols = self.symbols
        let next = links
        let previous = links + symbolCapacity
        let heap = self.heap
        var heapCount = 0

        @inline(__always) func push(_ left: Int, _ right: Int) {
            let a = symbols[left], b = symbols[right]
            let value = pairValue(a, b)
            if value == 0 { return }
            let merged = Int32(truncatingIfNeeded: value >> 32)
            if recordUnusedSplits && model.type(of: merged) == .unused { unusedSplits[merged] = (a, b) }
            var i = heapCount
            heapCount += 1
            let candidate = MergeCandidate(key: (value << 32) | UInt64(UInt32.max - UInt32(left)),
                                           right: Int32(right), leftSymbol: a, rightSymbol: b, merged: merged)
            while i > 0 {
                let parent = (i - 1) >> 1
                if heap[parent].key >= candidate.key { break }
                heap[i] = heap[parent]
                i = parent
            }
            heap[i] = candidate
        }

        @inline(__always) func pop() -> MergeCandidate {
            let top = heap[0]
            heapCount -= 1
            if heapCount > 0 {
                let last = heap[heapCount]
                var i = 0
                while true {
                    var child = 2 * i + 1
                    if child >= heapCount { break }
                    if child + 1 < heapCount && heap[child + 1].key > heap[child].key { child += 1 }
                    if heap[child].key <= last.key { break }
                    heap[i] = heap[child]
                    i = child
                }
                heap[i] = last
            }
            return top
        }

        for k in 0..<count {
            next[k] = k + 1 < count ? Int32(k + 1) : -1
            previous[k] = Int32(k - 1)
        }
        for k in 0..<(count - 1) { push(k, k + 1) }
        while heapCount > 0 {
            let top = pop()
            let left = top.left
            let right = Int(top.right)
            // Stale: one side was merged away or has grown since the pair was proposed.
            guard symbols[left] == top.leftSymbol, symbols[right] == top.rightSymbol, next[left] == top.right else { continue }
            symbols[left] = top.merged
            symbols[right] = Self.removed
            let after = next[right]
            next[left] = after
            if after >= 0 { previous[Int(after)] = Int32(left) }
            if previous[left] >= 0 { push(Int(previous[left]), left) }
            if after >= 0 { push(left, Int(after)) }
        }
        var kept = 0
        var k: Int32 = 0
        while k >= 0 {
            symbols[kept] = symbols[Int(k)]
            kept += 1
            k = next[Int(k)]
        }
        return kept
    }
}
