extension SentencePieceEncoder {
    /// A symbol id that marks a frozen user-defined piece in whole-text merging: no merge rule
    /// has such an id (ids are below 2^30), so it never merges.
    static let frozenFlag: Int32 = 0x4000_0000
    /// A removed symbol in heap merging.
    static let removed = Int32.min
    /// SentencePiece stops splitting UNUSED pieces back after this depth (`kMaxBpeResegmentDepth`).
    static let maxSplitDepth = 100

    /// Splits a segment into characters and merges it. Two adjacent characters that occur
    /// next to each other in no mergeable piece can never end up in one token, so the segment
    /// is cut there into runs that merge independently (and are cached on their own: runs are
    /// words, which repeat, even where the segment, say a Chinese sentence, does not).
    /// `wellFormed`: the segment is well-formed UTF-8 (characters decode without checks).
    func mergeRuns(_ segment: UnsafeMutablePointer<UInt8>, _ length: Int, wellFormed: Bool, wholeSegmentHash: UInt64?,
                   into sink: inout TokenSink, workspace: inout MergeWorkspace) {
        // Offsets are Int32 (checked once here, not per character).
        precondition(length < Int(Int32.max), "a segment of 2 GiB or more")
        if length + 1 > workspace.capacity { grow(&workspace, to: length + 1) }
        let symbols = workspace.symbols
        let pairs = workspace.pairs
        let count = wellFormed
            ? splitCharacters(segment, length, wellFormed: true, into: symbols, offsets: workspace.offsets)
            : splitCharacters(segment, length, wellFormed: false, into: symbols, offsets: workspace.offsets)
        // Pair lookups and run emission in one pass (most Chinese runs are one or two
        // characters, emitted right here); the segment's end counts as a cut. `pairs` holds
        // `find` results (no ranks) until a long run needs them.
        let characterPairs = self.characterPairs
        // A local, so the loop does not reload the encoder's field after every id stored.
        let emitsItself = self.emitsItself
        let segmentStart = sink.count
        let wholeSegmentLookedUp = wholeSegmentHash != nil
        var runStart = 0
        var k = 0
        while k < count {
            let pair = k &+ 1 < count ? characterPairs.find(symbols[k], symbols[k &+ 1]) : 0
            pairs[k] = pair
            if pair == 0 {
                let start = sink.count
                let symbol = symbols[k]
                if runStart == k, symbol >= 0, emitsItself.contains(symbol) {
                    // A single character that is a piece (most Chinese characters): its id, which
                    // is no `<unk>`, so there is no run of unknowns to join.
                    sink.append(UInt32(bitPattern: symbol))
                } else if runStart == k {
                    emitSymbol(symbol, segment: segment, segmentLength: length, into: &sink, unitStart: start)
                    joinUnknownRun(at: start, in: &sink)
                } else if runStart &+ 1 == k {
                    // BPE on two symbols: one merge if their pair has one.
                    if let merged = PairMergeTable.mergedID(ofFound: pairs[runStart]) {
                        emitSymbol(merged, segment: segment, segmentLength: length, into: &sink, unitStart: start)
                    } else {
                        emitSymbol(symbols[runStart], segment: segment, segmentLength: length, into: &sink, unitStart: start)
                        emitSymbol(symbols[k], segment: segment, segmentLength: length, into: &sink, unitStart: start)
                    }
                    joinUnknownRun(at: start, in: &sink)
                } else {
                    mergeLongRun(runStart, k, of: segment, length, characters: count,
                                 wholeSegmentLookedUp: wholeSegmentLookedUp, into: &sink, workspace: workspace)
                }
                runStart = k &+ 1
            }
            k &+= 1
        }
        if count > 1, let hash = wholeSegmentHash {
            cache.insert(hash: hash, segment, length, ids: sink.ids(from: segmentStart))
        }
    }

    /// Merges characters `first...last` (three or more) of the segment and appends the ids:
    /// through the cache when the run is long enough and not the whole segment (which was
    /// looked up as such), else by BPE.
    @inline(never)
    private func mergeLongRun(_ first: Int, _ last: Int, of segment: UnsafeMutablePointer<UInt8>, _ length: Int,
                              characters: Int, wholeSegmentLookedUp: Bool, into sink: inout TokenSink, workspace: MergeWorkspace) {
        let start = sink.count
        let symbols = workspace.symbols + first
        let runOffset = Int(workspace.offsets[first])
        let runLength = (last + 1 < characters ? Int(workspace.offsets[last + 1]) : length) - runOffset
        // A run that is the whole segment was looked up as such (unless the segment is long).
        var cacheable = usesCache && last - first >= Self.minCachedRunCharacters - 1 && runLength <= Self.maxCachedRunBytes
            && (first > 0 || last < characters - 1 || !wholeSegmentLookedUp)
        var hash: UInt64 = 0
        if cacheable {
            hash = SegmentCache.hash(segment + runOffset, runLength)
            // A run seen for the first time (most runs of a Chinese clause) merges without
            // touching the cache (`SightingFilter`).
            cacheable = !Self.startsIdeographic(segment[runOffset]) || runSightings.sawBefore(hash: hash)
        }
        if cacheable {
            if let cached = cache.lookup(hash: hash, segment + runOffset, runLength) {
                sink.append(cached)
                joinUnknownRun(at: start, in: &sink)
                return
            }
        }
        let count = last - first + 1
        let remaining: Int
        if count <= Self.maxScanSymbols {
            let pairs = workspace.pairs + first
            for k in 0..<(count &- 1) { pairs[k] = characterPairs.value(ofFound: pairs[k]) }
            remaining = mergeByScanning(symbols, pairs, count)
        } else {
            remaining = mergeWithHeap(symbols, count, workspace: workspace, recordUnusedSplits: false)
        }
        for k in 0..<remaining {
            emitSymbol(symbols[k], segment: segment, segmentLength: length, into: &sink, unitStart: start)
        }
        if cacheable { cache.insert(hash: hash, segment + runOffset, runLength, ids: sink.ids(from: start)) }
        joinUnknownRun(at: start, in: &sink)
    }

    /// The symbol id of each character (`OneCharLen` steps, as SentencePiece splits), or
    /// -1 - offset for a character that is no symbol, and each character's byte offset.
    /// Returns the number of characters. With `wellFormed` (the text is known to be valid UTF-8)
    /// a lead byte's character is complete and valid, so ASCII and 3-byte characters (CJK)
    /// decode without checks; inlined, each caller gets the loop for its case.
    @inline(__always)
    func splitCharacters(_ p: UnsafePointer<UInt8>, _ length: Int, wellFormed: Bool, into out: UnsafeMutablePointer<Int32>,
                         offsets: UnsafeMutablePointer<Int32>) -> Int {
        let bmpSymbols = self.bmpSymbols
        var count = 0
        var i = 0
        while i < length {
            let lead = p[i]
            let id: Int32
            let characterLength: Int
            if wellFormed && lead < 0x80 {
                id = bmpSymbols[Int(lead)]
                characterLength = 1
            } else if wellFormed && lead & 0xF0 == 0xE0 {
                let cp = UInt32(lead & 0x0F) << 12 | UInt32(p[i &+ 1] & 0x3F) << 6 | UInt32(p[i &+ 2] & 0x3F)
                id = bmpSymbols[Int(cp)]
                characterLength = 3
            } else {
                (id, characterLength) = characterSymbol(p + i, length &- i)
            }
            let offset = Int32(truncatingIfNeeded: i)
            out[count] = id >= 0 ? id : -1 &- offset
            offsets[count] = offset
            count &+= 1
            i &+= characterLength
        }
        return count
    }

    /// The symbol id (or -1) and byte length of the character at `p`.
    @inline(__always)
    func characterSymbol(_ p: UnsafePointer<UInt8>, _ remaining: Int) -> (id: Int32, length: Int) {
        let byte = p[0]
        if byte < 0x80 { return (bmpSymbols[Int(byte)], 1) }
        // The common case: a well-formed 3-byte character (CJK and most BMP scripts).
        if byte & 0xF0 == 0xE0 && remaining >= 3 && p[1] & 0xC0 == 0x80 && p[2] & 0xC0 == 0x80 {
            let cp = UInt32(byte & 0x0F) << 12 | UInt32(p[1] & 0x3F) << 6 | UInt32(p[2] & 0x3F)
            if cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) { return (bmpSymbols[Int(cp)], 3) }
        }
        let length = min(SentencePieceUTF8.oneCharLength(byte), remaining)
        if SentencePieceUTF8.validCharLength(p, remaining) == length {
            let cp = SentencePieceUTF8.codePoint(p, length)
            if cp < 0x10000 { return (bmpSymbols[Int(cp)], length) }
        }
        return (symbolTable.lookup(p, length), length)
    }

    /// BPE on a short symbol array whose pair values are already in `pairs`: find the best
    /// pair (highest rank, leftmost) by scanning, merge it, shift the tail left. O(n^2) with
    /// tiny constants; returns the number of symbols left.
    @inline(__always)
    func mergeByScanning(_ symbols: UnsafeMutablePointer<Int32>, _ pairs: UnsafeMutablePointer<UInt64>, _ initialCount: Int) -> Int {
        var count = initialCount
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
            // The merged symbol is longer than one character: its pairs are in `pieceMerges`.
            if best > 0 { pairs[best - 1] = pieceMerges.lookup(symbols[best - 1], symbols[best]) }
            if best < count - 1 { pairs[best] = pieceMerges.lookup(symbols[best], symbols[best + 1]) }
        }
        return count
    }

    /// BPE with a priority queue and a linked list (SentencePiece's algorithm, on ids). Leaves
    /// the surviving symbols compacted at the front of `symbols` and returns their number.
    /// With `recordUnusedSplits`, remembers for each proposed UNUSED merge its two halves, in
    /// proposal order, as SentencePiece's `rev_merge` does.
    func mergeWithHeap(_ symbols: UnsafeMutablePointer<Int32>, _ count: Int, workspace: MergeWorkspace,
                       recordUnusedSplits: Bool) -> Int {
        let next = workspace.links
        let previous = workspace.links + workspace.capacity
        let heap = workspace.heap
        var heapCount = 0

        /// `initial`: both symbols are still single characters.
        @inline(__always) func push(_ left: Int, _ right: Int, initial: Bool) {
            let a = symbols[left], b = symbols[right]
            let value = initial ? characterPairs.lookup(a, b) : pieceMerges.lookup(a, b)
            if UInt32(truncatingIfNeeded: value) == 0 { return }
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
        for k in 0..<(count - 1) { push(k, k + 1, initial: true) }
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
            if previous[left] >= 0 { push(Int(previous[left]), left, initial: false) }
            if after >= 0 { push(left, Int(after), initial: false) }
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
