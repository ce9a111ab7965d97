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
/// One encoder per thread: it owns scratch buffers and a bounded segment cache (12 MB; 6 MB when
/// it runs beside other encoders) and is not safe to share. Create as many as needed from one
/// `SentencePieceModel`.
///
/// How it is fast, and why it is still exact:
/// - Normalization is one copying pass for models without a charsmap (Yi, Llama-2).
/// - The text is cut where no merge can cross: around user-defined pieces (never merged), at
///   the start of each run of `▁` (checked at load: no mergeable piece has `▁` after another
///   character), and between two characters that are adjacent in no mergeable piece. BPE on
///   each part gives what BPE on the whole gives, because merges never cross the cuts and a
///   merge's priority (score, then leftmost) orders the merges inside each part the same way.
/// - The cutting loop steps over whole characters, over runs of ASCII letters 8 bytes at a time,
///   and over the space symbol without the user-defined trie where no user-defined piece can
///   start; a sentinel after the text spares it bounds checks.
/// - Each part's ids are cached by its bytes: words repeat, so most parts skip BPE. Parts wait
///   in a short queue so that their cache memory is prefetched before they are looked up.
///   Runs of Chinese, which mostly occur once, are looked up only from their second sighting.
/// - A part missing from the cache merges on ids: (left, right) -> merged id is a precomputed
///   integer hash table, so no strings are built or hashed while merging. Short parts merge by
///   rescanning a small array; long ones with a heap, like SentencePiece.
/// - Hot loops read only raw pointers and locals (no reference counting, no exclusivity
///   checks, no Array bounds or uniqueness checks); ids go to a buffer sized in advance.
public final class SentencePieceEncoder {
    public let model: SentencePieceModel

    // The model's tables, copied here so the hot loops read this object's constants only.
    let characterPairs: PairMergeTable
    let pieceMerges: PairMergeTable
    let emitClass: FrozenArray<Int32>
    let emitsItself: SymbolBits
    let bmpSymbols: UnsafeMutablePointer<Int32>
    let symbolTable: PieceTable
    let pieceBytes: ByteArena
    let byteIDs: FrozenArray<Int32>
    let userDefined: UserDefinedMatcher
    let unknownID: UInt32
    let byteFallback: Bool
    let cache: SegmentCache
    /// Which runs starting with an ideograph have been seen: only those are looked up in `cache`.
    let runSightings: SightingFilter
    let usesCache: Bool
    /// Merge whole texts at once (SentencePiece's own way) even where segments are exact.
    let mergesWholeTexts: Bool
    /// Walk normalized text character by character even when it is well-formed (tests).
    let walksEveryCharacter: Bool
    /// Per lead byte, how far the segmentation loop may step over the character it starts
    /// (its length), or 0 when the loop must look at it: it can start a user-defined piece or
    /// the space symbol. `stepNothing` is all 0 (every character is looked at).
    /// ASCII letters are `letterStep` there (when no letter is interesting): the loop skips runs
    /// of letters eight bytes at a time.
    let skipLength: UnsafeMutablePointer<UInt8>
    let stepNothing: UnsafeMutablePointer<UInt8>
    /// `skipLength` of an ASCII letter: -1 as a signed byte, so the loop over other characters
    /// tells it from their lengths (1...4) and from 0 with the sign test it needs anyway.
    static let letterStep: UInt8 = 0xFF
    /// Per byte: 1 when it can follow the space symbol inside a user-defined piece (Yi: `▁`,
    /// for its `▁▁`... pieces). A space symbol followed by any other byte is a plain space.
    let continuesUserDefinedAfterSpace: UnsafeMutablePointer<UInt8>
    /// False when a user-defined piece is the space symbol or a part of it (then every space
    /// goes through the trie).
    let spaceMayBePlain: Bool

    /// The segmentation loop's queue (`PendingPart`).
    let pendingParts: UnsafeMutablePointer<PendingPart>

    /// Normalized text of the current call.
    private var text: UnsafeMutablePointer<UInt8>
    private var textCapacity: Int
    /// Ids of the current call.
    private var output: UnsafeMutablePointer<UInt32>
    private var outputCapacity: Int
    /// Output of the general normalizer, copied into `text`.
    private var generalNormalized: [UInt8] = []
    private var workspace: MergeWorkspace
    /// `rev_merge` of whole-text encoding: how each UNUSED piece was last proposed.
    var unusedSplits: [Int32: (Int32, Int32)] = [:]

    /// Whole segments are cached up to this many bytes (words, with their punctuation); longer
    /// ones (a Chinese clause) rarely recur, their runs are cached instead.
    static let maxCachedSegmentBytes = 48
    /// Runs are cached up to this many bytes...
    static let maxCachedRunBytes = 96
    /// ...and from this many characters: shorter runs merge faster than a lookup.
    static let minCachedRunCharacters = 4
    /// Runs of at most this many characters merge by rescanning; longer ones use the heap.
    static let maxScanSymbols = 48

    /// Whether `lead` starts a character of U+3000...U+9FFF. A segment that starts with one is
    /// not cached whole (CJK punctuation, kana, ideographs; lead bytes E3...E9): it is a clause between punctuation marks, which rarely recurs (mixed-en-zh:
    /// 7% of Chinese bytes would hit), so hashing, looking up and storing it costs more than
    /// it saves and evicts the words that do recur. Its runs are still cached.
    @inline(__always)
    static func startsIdeographic(_ lead: UInt8) -> Bool { lead &- 0xE3 <= 0xE9 - 0xE3 }

    /// - Parameters:
    ///   - cacheSegments: false merges every part (to test or measure merging alone).
    ///   - runsBesideOtherEncoders: true when other encoders work at the same time on other
    ///     threads (a pool of workers): each then keeps a segment cache of half the size, so
    ///     that together they still fit the memory cache the cores share. Ids do not change.
    public convenience init(model: SentencePieceModel, cacheSegments: Bool = true, runsBesideOtherEncoders: Bool = false) {
        self.init(model: model, cacheSegments: cacheSegments, mergeWholeTexts: false, besideOthers: runsBesideOtherEncoders)
    }

    /// `mergeWholeTexts` turns segmentation off, `walkEveryCharacter` the skipping of
    /// uninteresting bytes, `smallCache` makes the segment cache evict every few hundred parts
    /// (tests compare all ways).
    init(model: SentencePieceModel, cacheSegments: Bool, mergeWholeTexts: Bool, walkEveryCharacter: Bool = false,
         smallCache: Bool = false, besideOthers: Bool = false) {
        self.model = model
        mergesWholeTexts = mergeWholeTexts || model.segmentation == .wholeText
        walksEveryCharacter = walkEveryCharacter
        characterPairs = model.characterPairs
        pieceMerges = model.pieceMerges
        emitClass = model.emitClass
        emitsItself = model.emitsItself
        bmpSymbols = model.bmpSymbols.base
        symbolTable = model.symbols
        pieceBytes = model.pieceBytes
        byteIDs = model.byteIDs
        userDefined = model.userDefined
        unknownID = UInt32(bitPattern: model.unknownID)
        byteFallback = model.byteFallback
        usesCache = cacheSegments && !mergesWholeTexts
        cache = !usesCache ? SegmentCache(slotCount: 1, arenaBytes: 64)
            : smallCache ? SegmentCache(slotCount: 512, arenaBytes: 8 << 10)
            : besideOthers ? SegmentCache.besideOthers() : SegmentCache.alone()
        runSightings = SightingFilter(bucketCount: usesCache && !smallCache ? 1 << 19 : 64)
        textCapacity = Self.initialText
        text = .allocate(capacity: textCapacity)
        outputCapacity = Self.initialOutput
        output = .allocate(capacity: outputCapacity)
        workspace = MergeWorkspace(capacity: Self.initialWorkspace)
        pendingParts = .allocate(capacity: Self.pendingCapacity)
        skipLength = .allocate(capacity: 256)
        stepNothing = .allocate(capacity: 256)
        stepNothing.initialize(repeating: 0, count: 256)
        let spaceLead = Int(model.spaceSymbol[0])
        for byte in 0..<256 {
            let interesting = byte == spaceLead || model.userDefined.mayStart(with: UInt8(byte))
            (skipLength + byte).initialize(to: interesting ? 0 : UInt8(SentencePieceUTF8.oneCharLength(UInt8(byte))))
        }
        // ASCII letters, when none is interesting, are marked to be skipped by runs.
        let letters = Array(UInt8(ascii: "A")...UInt8(ascii: "Z")) + Array(UInt8(ascii: "a")...UInt8(ascii: "z"))
        let steps = skipLength
        if letters.allSatisfy({ steps[Int($0)] == 1 }) {
            for letter in letters { steps[Int(letter)] = Self.letterStep }
        }
        continuesUserDefinedAfterSpace = .allocate(capacity: 256)
        continuesUserDefinedAfterSpace.initialize(repeating: 0, count: 256)
        let continuing = model.userDefined.bytesContinuing(model.spaceSymbol)
        spaceMayBePlain = continuing != nil
        for byte in continuing ?? [] { continuesUserDefinedAfterSpace[Int(byte)] = 1 }
    }

    deinit {
        skipLength.deallocate()
        stepNothing.deallocate()
        continuesUserDefinedAfterSpace.deallocate()
        pendingParts.deallocate()
        text.deallocate()
        output.deallocate()
        workspace.deallocate()
    }

    // MARK: Encoding

    /// The ids of `text`, without BOS/EOS.
    public func encode(_ text: String) -> [TokenID] {
        var ids: [TokenID] = []
        encode(text, into: &ids)
        return ids
    }

    /// Appends the ids of `text` to `ids`.
    @discardableResult
    public func encode(_ text: String, into ids: inout [TokenID]) -> EncodeStats {
        var text = text
        // A String's UTF-8 is well-formed: no need to look for malformed bytes.
        return text.withUTF8 { encode(utf8: $0, knownWellFormed: true, into: &ids) }
    }

    /// Appends the ids of the UTF-8 bytes `utf8` to `ids`. The bytes need not be well-formed:
    /// each malformed byte is handled (and counted) as SentencePiece handles it.
    @discardableResult
    public func encode(utf8 input: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID]) -> EncodeStats {
        encode(utf8: input, knownWellFormed: false, into: &ids)
    }

    private func encode(utf8 input: UnsafeBufferPointer<UInt8>, knownWellFormed: Bool,
                        into ids: inout [TokenID]) -> EncodeStats {
        guard input.count > 0 else { return EncodeStats() }
        let normalizer = model.normalizer
        let count: Int
        let malformed: Int
        let normalizedIsWellFormed: Bool
        if normalizer.isCopyWithEscapes {
            if knownWellFormed || SentencePieceUTF8.isWellFormed(input) {
                reserveText(Normalizer.outputBound(input.count))
                count = normalizer.normalizeWellFormed(input, into: text)
                malformed = 0
            } else {
                reserveText(Normalizer.outputBound(input.count))
                (count, malformed) = normalizer.normalizeAnyBytes(input, into: text)
            }
            normalizedIsWellFormed = true  // malformed bytes became U+FFFD
        } else {
            generalNormalized.removeAll(keepingCapacity: true)
            malformed = normalizer.normalize(input, into: &generalNormalized)
            count = generalNormalized.count
            reserveText(count)
            generalNormalized.withUnsafeBufferPointer { text.update(from: $0.baseAddress!, count: count) }
            normalizedIsWellFormed = SentencePieceUTF8.isWellFormed(UnsafeBufferPointer(start: text, count: count))
        }
        guard count > 0 else { return EncodeStats(malformedUTF8Bytes: malformed) }
        // The sentinel: the space symbol's first byte, which the segmentation loop always stops at.
        (text + count).initialize(repeating: model.spaceSymbol[0], count: Self.textPadding)
        var sink = TokenSink(base: output, capacity: outputCapacity)
        sink.reserve(count / 3 + 16)  // a typical text; parts make room for more as needed
        var workspace = self.workspace
        if mergesWholeTexts {
            encodeWholeText(text, count, into: &sink, workspace: &workspace)
        } else {
            encodeSegmented(text, count, wellFormed: normalizedIsWellFormed, into: &sink, workspace: &workspace)
        }
        self.workspace = workspace
        output = sink.base
        outputCapacity = sink.capacity
        ids.append(contentsOf: sink.ids(from: 0))
        releaseOversizedBuffers()
        return EncodeStats(malformedUTF8Bytes: malformed, tokens: sink.count)
    }

    /// Scratch grows with the largest text (or unbroken run) seen; after an exceptional one,
    /// give the memory back rather than keep it for the encoder's life.
    private func releaseOversizedBuffers() {
        if workspace.capacity > Self.keptScratchElements {
            workspace.deallocate()
            workspace = MergeWorkspace(capacity: Self.initialWorkspace)
        }
        if textCapacity > Self.keptScratchElements * 4 {
            text.deallocate()
            textCapacity = Self.initialText
            text = .allocate(capacity: textCapacity)
        }
        if outputCapacity > Self.keptScratchElements {
            output.deallocate()
            outputCapacity = Self.initialOutput
            output = .allocate(capacity: outputCapacity)
        }
    }

    static let initialText = 1 << 16
    static let initialOutput = 1 << 14
    static let initialWorkspace = 1 << 12
    /// Scratch up to this many elements (symbols, ids; 4x for text bytes) is kept between calls.
    static let keptScratchElements = 1 << 20

    /// Room for `needed` bytes of normalized text and the padding after them.
    private func reserveText(_ needed: Int) {
        let needed = needed + Self.textPadding
        guard needed > textCapacity else { return }
        text.deallocate()
        textCapacity = max(needed, textCapacity * 2)
        text = .allocate(capacity: textCapacity)
    }

    /// Bytes after the normalized text: the first is a sentinel (see `encodeSegmented`), the
    /// rest keep the 8-byte reads of `leadingLetters` inside the buffer.
    static let textPadding = 8

    /// Makes `workspace` hold at least `needed` symbols.
    @inline(never)
    func grow(_ workspace: inout MergeWorkspace, to needed: Int) {
        workspace.deallocate()
        workspace = MergeWorkspace(capacity: max(needed, workspace.capacity * 2))
    }

    /// Cuts normalized text into segments (user-defined pieces, space runs) and encodes each.
    ///
    /// In well-formed text every byte that can start a user-defined piece or a space symbol is
    /// a character's first byte, so the loop can skip other bytes without decoding them. Text
    /// that is not well-formed (a charsmap's odd output) is walked character by character with
    /// SentencePiece's `OneCharLen`, as BPE splits it.
    private func encodeSegmented(_ text: UnsafeMutablePointer<UInt8>, _ count: Int, wellFormed: Bool,
                                 into sink: inout TokenSink, workspace: inout MergeWorkspace) {
        let userDefined = self.userDefined
        let hasUserDefined = !userDefined.isEmpty
        let wideSpace = model.spaceSymbol.count == 3
        let cutBefore = model.segmentation == .beforeSpaceRuns
        let cutAfter = model.segmentation == .afterSpaceRuns
        let skipLength = wellFormed && !walksEveryCharacter ? self.skipLength : stepNothing
        var segmentStart = 0
        var position = 0
        var previousIsSpace = false
        let spaceLead = model.spaceSymbol[0]
        // Parts are queued and encoded in groups (see `PendingPart`).
        let pendingParts = self.pendingParts
        var pending = 0
        @inline(__always) func queue(_ part: PendingPart) {
            pendingParts[pending] = part
            pending &+= 1
            if pending == Self.pendingCapacity {
                encodePendingParts(pending, of: text, wellFormed: wellFormed, into: &sink, workspace: &workspace)
                pending = 0
            }
        }
        @inline(__always) func queueSegment(_ start: Int, _ end: Int) {
            queue(pendingSegment(text, start, end))
        }
        @inline(__always) func queuePiece(_ id: Int32) {
            queue(PendingPart(start: -1, hash: 0, lengthOrID: Int(id)))
        }
        // Steps are read as signed bytes: `letterStep` is negative. No bounds check: the
        // sentinel after the text has step 0 and, in well-formed text (the only kind that is
        // stepped over), steps end on character boundaries, so the loop stops at `count`.
        @inline(__always) func stepAt(_ position: Int) -> Int {
            Int(Int8(bitPattern: skipLength[Int(text[position])]))
        }
        while position < count {
            var step = stepAt(position)
            if step != 0 {
                let skipped = position
                // Well-formed text: step a whole character at a time (CJK: 3 bytes) in the
                // inner loop, which letters leave for a run of them skipped 8 bytes at a time.
                repeat {
                    if step < 0 {
                        position = Self.skipLetters(text, from: position)
                        step = stepAt(position)
                    }
                    while step > 0 {
                        position &+= step
                        step = stepAt(position)
                    }
                } while step != 0
                if position > count { position = count }
                if cutAfter && previousIsSpace && segmentStart < skipped {
                    queueSegment(segmentStart, skipped)
                    segmentStart = skipped
                }
                previousIsSpace = false
                if position >= count { break }
            }
            let byte = text[position]
            if byte == spaceLead && spaceMayBePlain && isPlainSpace(text + position, count - position, wide: wideSpace) {
                // The space symbol, starting no user-defined piece (every English word): no trie.
                if cutBefore && !previousIsSpace && segmentStart < position {
                    queueSegment(segmentStart, position)
                    segmentStart = position
                }
                previousIsSpace = true
                position += wideSpace ? 3 : 1
                continue
            }
            if hasUserDefined && userDefined.mayStart(with: byte),
               let match = (wellFormed && userDefined.standsAloneLead.contains(Int32(byte)) ? userDefinedCharacter(text + position) : nil)
                ?? userDefined.match(text + position, count - position) {
                if segmentStart < position {
                    queueSegment(segmentStart, position)
                }
                // A user-defined piece is its own token (its id is never unknown).
                queuePiece(match.id)
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
                    queueSegment(segmentStart, position)
                    segmentStart = position
                }
                previousIsSpace = isSpace
            }
            position += length
        }
        if segmentStart < count {
            queueSegment(segmentStart, count)
        }
        if pending > 0 { encodePendingParts(pending, of: text, wellFormed: wellFormed, into: &sink, workspace: &workspace) }
    }

    /// Whether the space symbol is at `p` (3 bytes when `wide`, else " ") and no user-defined
    /// piece can start there (the byte after it continues none).
    @inline(__always)
    private func isPlainSpace(_ p: UnsafePointer<UInt8>, _ remaining: Int, wide: Bool) -> Bool {
        let length = wide ? 3 : 1
        if remaining < length { return false }
        if wide && (p[1] != 0x96 || p[2] != 0x81) { return false }
        return remaining == length || continuesUserDefinedAfterSpace[Int(p[length])] == 0
    }

    /// The end of the run of ASCII letters at `start` (`text[start]` is one; the sentinel after
    /// the text is none).
    @inline(__always)
    private static func skipLetters(_ text: UnsafePointer<UInt8>, from start: Int) -> Int {
        var position = start
        while true {
            let letters = leadingLetters(text + position)
            position &+= letters
            if letters < 8 { return position }
        }
    }

    /// How many of the 8 bytes at `p` are ASCII letters before the first that is not: the
    /// letters' high bits are found with carry-free byte arithmetic (SWAR), 8 bytes at once.
    @inline(__always)
    static func leadingLetters(_ p: UnsafePointer<UInt8>) -> Int {
        let word = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        let high: UInt64 = 0x8080_8080_8080_8080
        // Lower-cased, high bits cleared: each byte is at most 0x7F, so adding below 0x81 to
        // it never carries into the next byte.
        let folded = (word | 0x2020_2020_2020_2020) & ~high
        let atLeastA = folded &+ 0x1F1F_1F1F_1F1F_1F1F      // high bit set from "a" (0x61) on
        let pastZ = folded &+ 0x0505_0505_0505_0505         // high bit set from "{" (0x7B) on
        let letters = atLeastA & ~pastZ & ~word & high
        return (~letters & high).trailingZeroBitCount >> 3
    }

    /// The user-defined piece that is the character at `p` in well-formed text, when no longer
    /// user-defined piece starts with it (then it is the longest match, as the trie would find).
    /// One- and three-byte characters only; nil sends the others to the trie. (The decoding is
    /// written out, as in `splitCharacters`: through `characterSymbol`'s checks Chinese and
    /// English took 4–5% more instructions.)
    @inline(__always)
    private func userDefinedCharacter(_ p: UnsafePointer<UInt8>) -> (length: Int, id: Int32)? {
        let lead = p[0]
        let symbol: Int32
        let length: Int
        if lead < 0x80 {
            symbol = bmpSymbols[Int(lead)]
            length = 1
        } else if lead & 0xF0 == 0xE0 {
            symbol = bmpSymbols[Int(UInt32(lead & 0x0F) << 12 | UInt32(p[1] & 0x3F) << 6 | UInt32(p[2] & 0x3F))]
            length = 3
        } else {
            return nil
        }
        return symbol >= 0 && userDefined.standsAlone.contains(symbol) ? (length, symbol) : nil
    }

    // MARK: Emitting

    /// SentencePiece merges a run of unknown pieces into one `<unk>` (without byte fallback).
    /// Units encoded on their own (segments, runs) may continue such a run: drop the first id
    /// of the unit at `start` when it and the id before it are both `<unk>`.
    @inline(__always)
    func joinUnknownRun(at start: Int, in sink: inout TokenSink) {
        guard !byteFallback, start > 0, start < sink.count else { return }
        if sink.base[start] == unknownID && sink.base[start - 1] == unknownID { sink.remove(at: start) }
    }

    /// Appends what a final symbol stands for. `symbol` is a symbol id (>= 0) or, for a
    /// character that is no symbol, -1 - its byte offset in `segment`. `unitStart` is where
    /// the ids of the unit being encoded begin (for joining runs of unknown pieces).
    @inline(__always)
    func emitSymbol(_ symbol: Int32, segment: UnsafePointer<UInt8>, segmentLength: Int,
                    into sink: inout TokenSink, unitStart: Int) {
        if symbol < 0 {
            let offset = Int(-1 - symbol)
            let length = min(SentencePieceUTF8.oneCharLength(segment[offset]), segmentLength - offset)
            emitUnknown(UnsafeBufferPointer(start: segment + offset, count: length), into: &sink, unitStart: unitStart)
            return
        }
        if emitsItself.contains(symbol) {
            sink.append(UInt32(bitPattern: symbol))
        } else {
            // Unknown, CONTROL/BYTE/virtual symbols, and single-character UNUSED pieces (which
            // SentencePiece cannot split back) all come out as unknown.
            emitUnknown(pieceBytes[Int(symbol)], into: &sink, unitStart: unitStart)
        }
    }

    /// An unknown piece: its UTF-8 bytes as `<0xNN>` pieces with byte fallback, else `<unk>`
    /// (once for a run of unknown pieces).
    @inline(__always)
    func emitUnknown(_ bytes: UnsafeBufferPointer<UInt8>, into sink: inout TokenSink, unitStart: Int) {
        if byteFallback {
            for byte in bytes { sink.append(UInt32(bitPattern: byteIDs[Int(byte)])) }
        } else {
            if sink.count > unitStart && sink.base[sink.count - 1] == unknownID { return }
            sink.append(unknownID)
        }
    }
}
