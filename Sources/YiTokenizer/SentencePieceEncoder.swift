import YiCore

/// What one `encode(utf8:into:)` call saw.
public struct EncodeStats: Sendable, Equatable {
    /// Input bytes that were not well-formed UTF-8; SentencePiece replaces each with U+FFFD.
    public var malformedUTF8Bytes: Int
    /// Ids appended by the call.
    public var tokens: Int

    public init(malformedUTF8Bytes: Int = 0, tokens: Int = 0) {
        self.malformedUTF8Bytes = malformedUTF8Bytes
        self.tokens = tokens
    }
}

/// Turns text into a model's token ids exactly as SentencePiece's `EncodeAsIds` does, and ids
/// back into text as its `DecodeIds` does.
///
/// One encoder per thread: it owns scratch buffers and a bounded segment cache and is not safe
/// to share. Create as many as needed from one `SentencePieceModel`.
///
/// How it is fast (and still exact):
/// - Normalization is a single copying pass for models without a charsmap (Yi, Llama-2).
/// - The text is cut into segments no merge can cross: user-defined pieces (never merged) and
///   the start of each run of `▁` (checked at load: no mergeable piece has `▁` after another
///   character). Each segment's ids are cached; most words are found in the cache.
/// - A segment missing from the cache is merged on token ids: (left, right) -> merged id is a
///   precomputed integer hash table, so no piece strings are built or hashed while merging.
///   Short segments merge by rescanning a small array; long ones use a heap.
public final class SentencePieceEncoder {
    public let model: SentencePieceModel

    /// Normalized text of the current call.
    private var text: UnsafeMutablePointer<UInt8>
    private var textCapacity: Int
    /// Output of the general normalizer, copied into `text`.
    private var generalNormalized: [UInt8] = []
    /// Merge scratch: symbol ids and pair values (see the merge functions).
    var symbols: UnsafeMutablePointer<Int32>
    var pairs: UnsafeMutablePointer<UInt64>
    var links: UnsafeMutablePointer<Int32>
    var heap: UnsafeMutablePointer<MergeCandidate>
    var symbolCapacity: Int
    let cache: SegmentCache?
    /// `rev_merge` of whole-text encoding: how each UNUSED piece was last proposed.
    var unusedSplits: [Int32: (Int32, Int32)] = [:]

    /// Segments longer than this many bytes are merged without the cache.
    static let maxCachedSegmentBytes = 96
    /// Segments of at most this many characters merge by rescanning; longer ones use the heap.
    static let maxScanSymbols = 48

    /// - Parameter cacheSegments: set to false to measure or test the merge path alone.
    public init(model: SentencePieceModel, cacheSegments: Bool = true) {
        self.model = model
        textCapacity = 1 << 16
        text = .allocate(capacity: textCapacity)
        symbolCapacity = 1 << 12
        symbols = .allocate(capacity: symbolCapacity)
        pairs = .allocate(capacity: symbolCapacity)
        links = .allocate(capacity: symbolCapacity * 2)
        heap = .allocate(capacity: symbolCapacity * 3)
        cache = cacheSegments && model.segmentation != .wholeText ? SegmentCache() : nil
    }

    deinit {
        text.deallocate()
        symbols.deallocate()
        pairs.deallocate()
        links.deallocate()
        heap.deallocate()
    }

    // MARK: Encoding

    /// The ids of `text`, without BOS/EOS.
    public func encode(_ text: String) -> [TokenID] {
        var ids: [TokenID] = []
        var text = text
        text.withUTF8 { _ = encode(utf8: $0, into: &ids) }
        return ids
    }

    /// Appends the ids of the UTF-8 bytes `utf8` (which need not be well-formed: malformed
    /// bytes are handled and counted as SentencePiece handles them) to `ids`.
    @discardableResult
    public func encode(utf8 input: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID]) -> EncodeStats {
        let callStart = ids.count
        guard input.count > 0 else { return EncodeStats() }
        let normalizer = model.normalizer
        let count: Int
        let malformed: Int
        if normalizer.isCopyWithEscapes {
            reserveText(Normalizer.fastOutputBound(input.count))
            (count, malformed) = normalizer.normalizeFast(input, into: text)
        } else {
            generalNormalized.removeAll(keepingCapacity: true)
            malformed = normalizer.normalize(input, into: &generalNormalized)
            count = generalNormalized.count
            reserveText(count)
            generalNormalized.withUnsafeBufferPointer { text.update(from: $0.baseAddress!, count: count) }
        }
        guard count > 0 else { return EncodeStats(malformedUTF8Bytes: malformed) }
        ids.reserveCapacity(callStart + count / 3 + 16)
        if model.segmentation == .wholeText {
            encodeWholeText(text, count, into: &ids, callStart: callStart)
        } else {
            encodeSegmented(text, count, into: &ids, callStart: callStart)
        }
        return EncodeStats(malformedUTF8Bytes: malformed, tokens: ids.count - callStart)
    }

    private func reserveText(_ needed: Int) {
        guard needed > textCapacity else { return }
        text.deallocate()
        textCapacity = max(needed, textCapacity * 2)
        text = .allocate(capacity: textCapacity)
    }

    func reserveSymbols(_ needed: Int) {
        guard needed > symbolCapacity else { return }
        symbols.deallocate(); pairs.deallocate(); links.deallocate(); heap.deallocate()
        symbolCapacity = max(needed, symbolCapacity * 2)
        symbols = .allocate(capacity: symbolCapacity)
        pairs = .allocate(capacity: symbolCapacity)
        links = .allocate(capacity: symbolCapacity * 2)
        heap = .allocate(capacity: symbolCapacity * 3)
    }

    /// Cuts normalized text into segments and encodes each (see the type's notes).
    private func encodeSegmented(_ text: UnsafeMutablePointer<UInt8>, _ count: Int,
                                 into ids: inout [TokenID], callStart: Int) {
        let userDefined = model.userDefined
        let hasUserDefined = !userDefined.isEmpty
        let space = model.spaceSymbol
        let wideSpace = space.count == 3
        let cutBefore = model.segmentation == .beforeSpaceRuns
        let cutAfter = model.segmentation == .afterSpaceRuns
        var segmentStart = 0
        var position = 0
        var previousIsSpace = false
        while position < count {
            let byte = text[position]
            if hasUserDefined && userDefined.mayStart(with: byte),
               let match = userDefined.match(text + position, count - position) {
                if segmentStart < position {
                    encodeSegment(text + segmentStart, position - segmentStart, into: &ids, callStart: callStart)
                }
                emitSymbol(match.id, segment: text, segmentLength: 0, into: &ids, segmentStart: ids.count)
                position += match.length
                segmentStart = position
                previousIsSpace = false
                continue
            }
            let length: Int
            let isSpace: Bool
            if byte < 0x80 {
                length = 1
                isSpace = !wideSpace && byte == 0x20
            } else {
                length = min(SentencePieceUTF8.oneCharLength(byte), count - position)
                isSpace = wideSpace && length == 3 && byte == 0xE2 && text[position + 1] == 0x96 && text[position + 2] == 0x81
            }
            if isSpace != previousIsSpace {
                if (cutBefore && isSpace) || (cutAfter && !isSpace), segmentStart < position {
                    encodeSegment(text + segmentStart, position - segmentStart, into: &ids, callStart: callStart)
                    segmentStart = position
                }
                previousIsSpace = isSpace
            }
            position += length
        }
        if segmentStart < count {
            encodeSegment(text + segmentStart, count - segmentStart, into: &ids, callStart: callStart)
        }
    }

    /// Encodes one segment (through the cache when it is short enough) and appends its ids.
    private func encodeSegment(_ segment: UnsafeMutablePointer<UInt8>, _ length: Int,
                               into ids: inout [TokenID], callStart: Int) {
        let start = ids.count
        let previousIsUnknown = !model.byteFallback && start > callStart && ids[start - 1] == TokenID(bitPattern: model.unknownID)
        if let cache, length <= Self.maxCachedSegmentBytes {
            let hash = SegmentCache.hash(segment, length)
            if let cached = cache.lookup(hash: hash, segment, length) {
                ids.append(contentsOf: cached)
            } else {
                mergeSegment(segment, length, into: &ids)
                ids.withUnsafeBufferPointer { all in
                    cache.insert(hash: hash, segment, length, ids: UnsafeBufferPointer(rebasing: all[start...]))
                }
            }
        } else {
            mergeSegment(segment, length, into: &ids)
        }
        // SentencePiece merges a run of unknown pieces into one <unk> (without byte fallback);
        // segments are encoded on their own, so the run may continue across the cut.
        if previousIsUnknown && ids.count > start && ids[start] == TokenID(bitPattern: model.unknownID) {
            ids.remove(at: start)
        }
    }

    // MARK: Emitting

    /// Appends what a final symbol stands for. `symbol` is a symbol id (>= 0) or, for a
    /// character that is no symbol, -1 - its byte offset in `segment`.
    @inline(__always)
    func emitSymbol(_ symbol: Int32, segment: UnsafePointer<UInt8>, segmentLength: Int,
                    into ids: inout [TokenID], segmentStart: Int) {
        if symbol < 0 {
            let offset = Int(-1 - symbol)
            let length = min(SentencePieceUTF8.oneCharLength(segment[offset]), segmentLength - offset)
            emitUnknown(UnsafeBufferPointer(start: segment + offset, count: length), into: &ids, segmentStart: segmentStart)
            return
        }
        let emit = model.emitClass[Int(symbol)]
        if emit >= 0 {
            ids.append(TokenID(bitPattern: emit))
        } else {
            // Unknown, CONTROL/BYTE/virtual symbols, and single-character UNUSED pieces (which
            // SentencePiece cannot split back) all come out as unknown.
            emitUnknown(model.pieceBytesBuffer(symbol), into: &ids, segmentStart: segmentStart)
        }
    }

    /// An unknown piece: its UTF-8 bytes as `<0xNN>` pieces with byte fallback, else `<unk>`
    /// (once for a run of unknown pieces).
    @inline(__always)
    func emitUnknown(_ bytes: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], segmentStart: Int) {
        if model.byteFallback {
            let byteIDs = model.byteIDs
            for byte in bytes { ids.append(TokenID(bitPattern: byteIDs[Int(byte)])) }
        } else {
            let unknown = TokenID(bitPattern: model.unknownID)
            if ids.count > segmentStart && ids[ids.count - 1] == unknown { return }
            ids.append(unknown)
        }
    }
}
