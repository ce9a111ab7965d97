/// A part the segmentation loop has found and not yet encoded: a segment, or a user-defined
/// piece (one id).
///
/// Why parts wait: a segment cache lookup reads a slot and then an entry, two dependent loads
/// from cache memory much larger than a 1 MB L2 (in `pack`, with the earlier 3 MB cache, ≈ 70%
/// of the lookups' time was spent waiting on those two loads). With parts queued, the slots of
/// all of them are prefetched, then their entries, and only then are the parts encoded, in text
/// order: the loads overlap instead of following one another. The ids and their order are unchanged.
struct PendingPart {
    /// The segment's byte offset in the normalized text; -1 for a user-defined piece.
    var start: Int
    /// The segment's hash when it is looked up in the cache as a whole, else 0. (A real hash
    /// of 0 only means that segment is merged instead of looked up: the same ids.)
    var hash: UInt64
    /// The segment's length in bytes, or the piece's id.
    var lengthOrID: Int
}

extension SentencePieceEncoder {
    /// Parts queued before they are encoded: enough loads in flight to hide their latency,
    /// few enough that the queue and its lines stay in L1.
    static let pendingCapacity = 32

    /// The part for the segment `text[start..<end]`: hashed, and its cache slot prefetched, when
    /// it is to be looked up (longer segments, and those starting with a CJK character: clauses,
    /// which rarely recur, are merged without a lookup; see `startsIdeographic`).
    @inline(__always)
    func pendingSegment(_ text: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int) -> PendingPart {
        let length = end &- start
        let segment = text + start
        // A segment of one character is never stored (it merges with nothing), so it is not
        // looked up either: that lookup always missed (in the bench corpus, 6% of the lookups
        // and 72% of the misses).
        guard usesCache && length <= Self.maxCachedSegmentBytes && !Self.startsIdeographic(segment[0])
                && length > SentencePieceUTF8.oneCharLength(segment[0]) else {
            return PendingPart(start: start, hash: 0, lengthOrID: length)
        }
        let hash = SegmentCache.hash(segment, length)
        cache.prefetchSlot(hash: hash)
        return PendingPart(start: start, hash: hash, lengthOrID: length)
    }

    /// Encodes the `count` parts queued in `pendingParts` (offsets into `text`), in order.
    func encodePendingParts(_ count: Int, of text: UnsafeMutablePointer<UInt8>, wellFormed: Bool,
                            into sink: inout TokenSink, workspace: inout MergeWorkspace) {
        let parts = pendingParts
        // The slots were prefetched as the parts were queued; by now most have arrived.
        for i in 0..<count where parts[i].hash != 0 { cache.prefetchEntry(hash: parts[i].hash) }
        for i in 0..<count {
            let part = parts[i]
            if part.start < 0 {
                // A user-defined piece is its own token (its id is never unknown).
                sink.reserve(1)
                sink.append(UInt32(truncatingIfNeeded: part.lengthOrID))
            } else {
                encodeSegment(text + part.start, part.lengthOrID, hash: part.hash != 0 ? part.hash : nil,
                              wellFormed: wellFormed, into: &sink, workspace: &workspace)
            }
        }
    }

    /// Encodes one segment: from the cache when it is there (`hash` given: it is looked up),
    /// else by merging its runs.
    @inline(__always)
    private func encodeSegment(_ segment: UnsafeMutablePointer<UInt8>, _ length: Int, hash: UInt64?, wellFormed: Bool,
                               into sink: inout TokenSink, workspace: inout MergeWorkspace) {
        sink.reserve(length)  // every token covers at least one byte
        guard let hash else {
            mergeRuns(segment, length, wellFormed: wellFormed, wholeSegmentHash: nil, into: &sink, workspace: &workspace)
            return
        }
        if let cached = cache.lookup(hash: hash, segment, length) {
            let start = sink.count
            sink.append(cached)
            joinUnknownRun(at: start, in: &sink)
        } else {
            mergeRuns(segment, length, wellFormed: wellFormed, wholeSegmentHash: hash, into: &sink, workspace: &workspace)
        }
    }
}
