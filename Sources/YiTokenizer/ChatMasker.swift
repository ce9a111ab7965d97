import YiCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loss masks for conversations: the rendered conversation is encoded whole (so the ids are
/// exactly `EncodeAsIds` of the text) and each token is traced back to the bytes of the text
/// it covers.
///
/// **Mask rule**: a token is trained (1) when the bytes it covers overlap a trained byte range
/// (an assistant message's content and its `<|im_end|>`), else 0. A token straddling the start of
/// an assistant's content (e.g. `\n` of the header merged with the content's first characters)
/// is therefore trained; with Yi's template no token can straddle the end, because
/// `<|im_end|>` is a USER_DEFINED piece that is never merged.
///
/// Tracing bytes needs a model whose normalization keeps text as it is apart from spaces becoming
/// `▁` (Yi: no charsmap, no dummy prefix, no whitespace folding); `init` refuses other models.
/// Then a token's text is its piece with each `▁` read as a space, so its byte length is known
/// from its id; the lengths must add up to the text's (else nil, never a wrong mask). When the
/// text holds a literal U+2581, a `▁` may stand for either, and each piece is matched against the
/// text byte by byte instead.
public struct ChatMasker: Sendable {
    public let model: SentencePieceModel
    /// Per id, how its piece maps to text bytes (see `Trace`), built once per masker.
    private let trace: [Trace]
    /// Per id, the bytes of text its piece stands for when every `▁` stands for a space; 255 for
    /// ids that never occur in an encoded text (or pieces of 255+ bytes, traced instead). One
    /// byte per id keeps the table (64 KB for Yi) in cache: the lookup is the loop's main cost.
    /// Padded with 255 to a power of two, so the loop indexes it with `id & textLengthMask`.
    private let textLength: [UInt8]
    private let textLengthMask: UInt32

    /// How a piece is matched against the text.
    private enum Trace: UInt8 {
        /// UNKNOWN, CONTROL, UNUSED: never part of an encoded text's ids.
        case invalid
        /// A byte-fallback piece: one byte of the text.
        case byte
        /// The piece's bytes appear as they are (no `▁` in it).
        case literal
        /// `▁` then bytes without `▁` (most word pieces).
        case leadingSpace
        /// Anything else: matched byte by byte.
        case general
    }

    public init(model: SentencePieceModel) throws {
        let flags = model.flags
        guard !flags.hasPrecompiledCharsmap, !flags.addDummyPrefix, !flags.removeExtraWhitespaces else {
            throw YiError(.tokenizer, "chat loss masks need a tokenizer without text normalization (no charsmap, no dummy prefix, no whitespace folding), as Yi's; this model normalizes text, so token byte ranges cannot be traced")
        }
        self.model = model
        // One pass over the pieces, counting `▁`s in place (an array per piece made this set-up
        // a visible share of a short run).
        let escape = flags.escapeWhitespaces
        let offsets = model.pieceBytes.offsets, arena = model.pieceBytes.bytes
        var trace = [Trace](repeating: .invalid, count: model.vocabularySize)
        var tableSize = 1 << 16
        while tableSize < model.vocabularySize { tableSize <<= 1 }
        var textLength = [UInt8](repeating: 255, count: tableSize)
        for i in 0..<model.vocabularySize {
            let lower = Int(offsets[i]), upper = Int(offsets[i + 1])
            var kind = Trace.invalid
            var length = upper - lower
            switch model.type(of: Int32(i)) {
            case .byte?:
                kind = .byte
                length = 1
            case .normal?, .userDefined?:
                kind = .literal
                if escape {
                    var spaces = 0, leading = false, j = lower
                    while j + 2 < upper {
                        if arena[j] == 0xE2 && arena[j + 1] == 0x96 && arena[j + 2] == 0x81 {
                            if j == lower { leading = true }
                            spaces += 1
                            j += 3
                        } else {
                            j += 1
                        }
                    }
                    if spaces > 0 { kind = spaces == 1 && leading ? .leadingSpace : .general }
                    length -= 2 * spaces   // each `▁` (3 bytes) stands for one space
                }
            default:
                break
            }
            trace[i] = kind
            if kind != .invalid && length < 255 { textLength[i] = UInt8(length) }
        }
        self.trace = trace
        self.textLength = textLength
        textLengthMask = UInt32(tableSize - 1)
    }

    /// What a conversation's tokens are.
    public struct Encoding: Sendable, Equatable {
        /// 0/1 per token.
        public var mask: [UInt8]
        /// The 1s of `mask`.
        public var trainedTokens: Int
        /// Per turn of the layout: the number of tokens up to the turn's end, or nil when no
        /// token boundary falls on the turn's end (then the conversation cannot be cut there).
        public var turnTokenEnds: [Int?]
    }

    /// The mask of `ids` (the encoding of `text`). Nil when the ids do not spell out the text,
    /// which would be a tokenizer bug.
    public func mask(ids: [TokenID], text: String, layout: ChatLayout) -> Encoding? {
        var text = text
        return text.withUTF8 { utf8 in
            ids.withUnsafeBufferPointer { mask(ids: $0, text: utf8, layout: layout) }
        }
    }

    /// The same on buffers (the ids of exactly `text`, UTF-8).
    public func mask(ids: UnsafeBufferPointer<TokenID>, text: UnsafeBufferPointer<UInt8>, layout: ChatLayout) -> Encoding? {
        // Without a literal U+2581 in the text every `▁` of a piece is one space, so each
        // token's byte length is known from its id alone and only the total needs checking;
        // otherwise (a `▁` may be either) each piece is matched against the text.
        Self.containsSpaceSymbol(text) ? traced(ids: ids, text: text, layout: layout)
            : measured(ids: ids, text: text, layout: layout) ?? traced(ids: ids, text: text, layout: layout)
    }

    /// True when the text holds U+2581 (`E2 96 81`) literally.
    static func containsSpaceSymbol(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress else { return false }
        var from = 0
        while from + 2 < text.count, let hit = memchr(base + from, 0xE2, text.count - from - 2) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if base[at + 1] == 0x96 && base[at + 2] == 0x81 { return true }
            from = at + 1
        }
        return false
    }

    /// Byte ranges from the per-id text lengths. The per-token loop only adds lengths and
    /// compares the running position with the next byte offset where something happens (a
    /// trained range begins or ends, a turn ends); the mask is then filled range by range.
    func measured(ids: UnsafeBufferPointer<TokenID>, text: UnsafeBufferPointer<UInt8>, layout: ChatLayout) -> Encoding? {
        let ranges = layout.trainedRanges, turns = layout.turns
        // Each event is reached by the first token whose end is at least `threshold`:
        // a range's first token ends past its start, its last token ends at or past its end.
        var events: [(threshold: Int, slot: Int)] = []
        events.reserveCapacity(2 * ranges.count + turns.count)
        for (r, range) in ranges.enumerated() {
            events.append((range.lowerBound + 1, 2 * r))
            events.append((range.upperBound, 2 * r + 1))
        }
        for (t, turn) in turns.enumerated() { events.append((turn.end, 2 * ranges.count + t)) }
        events.sort { $0.threshold < $1.threshold || ($0.threshold == $1.threshold && $0.slot < $1.slot) }
        // Per slot: the token that reached it and that token's end.
        let idsCount = ids.count
        var reachedBy = [Int](repeating: idsCount, count: events.count)
        var reachedAt = [Int](repeating: -1, count: events.count)

        var position = 0
        var longest = 0     // 255: an id no text encodes to (or a piece to trace)
        var allBits: UInt32 = 0   // above the table's mask: an id outside the vocabulary
        let tableMask = textLengthMask
        textLength.withUnsafeBufferPointer { lengths in
            guard let ids = ids.baseAddress, let lengths = lengths.baseAddress else { return }
            var event = 0
            var next = events.first?.threshold ?? .max
            for index in 0..<idsCount {
                let id = ids[index]
                allBits |= id
                let length = Int(lengths[Int(id & tableMask)])
                longest = max(longest, length)
                position &+= length
                if position >= next {
                    while event < events.count && events[event].threshold <= position {
                        reachedBy[events[event].slot] = index
                        reachedAt[events[event].slot] = position
                        event += 1
                    }
                    next = event < events.count ? events[event].threshold : .max
                }
            }
        }
        let invalid = longest == 255 || allBits > tableMask
        guard !invalid, position == text.count else { return nil }

        var mask = [UInt8](repeating: 0, count: ids.count)
        var trained = 0
        mask.withUnsafeMutableBufferPointer { mask in
            var filledUpTo = 0   // ranges are ascending; a token may touch two of them
            // No token starts before an empty range at 0 (the rule below assumes the token that
            // reaches a range's end starts before it, true everywhere else).
            for r in ranges.indices where ranges[r].upperBound > 0 {
                let first = max(reachedBy[2 * r], filledUpTo)
                let last = reachedBy[2 * r + 1]   // ids.count when the text ends inside the range
                let end = min(last + 1, ids.count)
                guard first < end else { continue }
                memset(mask.baseAddress! + first, 1, end - first)
                trained += end - first
                filledUpTo = end
            }
        }
        var turnEnds = [Int?](repeating: nil, count: turns.count)
        for t in turns.indices where reachedAt[2 * ranges.count + t] == turns[t].end {
            turnEnds[t] = reachedBy[2 * ranges.count + t] + 1
        }
        return Encoding(mask: mask, trainedTokens: trained, turnTokenEnds: turnEnds)
    }

    func traced(ids: UnsafeBufferPointer<TokenID>, text: UnsafeBufferPointer<UInt8>, layout: ChatLayout) -> Encoding? {
        guard let base = text.baseAddress ?? (text.isEmpty ? UnsafePointer(bitPattern: 1) : nil) else { return nil }
        let count = text.count
        var marker = MaskMarker(tokens: ids.count, layout: layout)
        var position = 0
        let arena = model.pieceBytes.bytes, offsets = model.pieceBytes.offsets
        /// Matches a space symbol at `position`: a space, or a literal U+2581.
        @inline(__always) func space(_ position: inout Int) -> Bool {
            if position < count && base[position] == 0x20 { position += 1; return true }
            if position + 2 < count && base[position] == 0xE2 && base[position + 1] == 0x96 && base[position + 2] == 0x81 {
                position += 3
                return true
            }
            return false
        }
        @inline(__always) func literal(_ lower: Int, _ upper: Int, _ position: inout Int) -> Bool {
            let length = upper - lower
            guard position + length <= count, memcmp(base + position, arena + lower, length) == 0 else { return false }
            position += length
            return true
        }
        return trace.withUnsafeBufferPointer { trace -> Encoding? in
            for index in 0..<ids.count {
                let id = Int(ids[index])
                guard id < trace.count else { return nil }
                let start = position
                let lower = Int(offsets[id]), upper = Int(offsets[id + 1])
                switch trace[id] {
                case .literal:
                    guard literal(lower, upper, &position) else { return nil }
                case .leadingSpace:
                    guard space(&position), literal(lower + 3, upper, &position) else { return nil }
                case .byte:
                    guard position < count, Int(model.byteValues[id]) == Int(base[position]) else { return nil }
                    position += 1
                case .general:
                    var j = lower
                    while j < upper {
                        if j + 2 < upper, arena[j] == 0xE2, arena[j + 1] == 0x96, arena[j + 2] == 0x81 {
                            guard space(&position) else { return nil }
                            j += 3
                        } else {
                            guard position < count, base[position] == arena[j] else { return nil }
                            position += 1
                            j += 1
                        }
                    }
                case .invalid:
                    return nil
                }
                marker.record(index, start, position)
            }
            guard position == count else { return nil }
            return marker.encoding
        }
    }

    /// The model's pieces that a message may not contain literally: USER_DEFINED and CONTROL
    /// pieces written `<|...|>` (Yi: `<|im_start|>`, `<|im_end|>`, `<|im_sep|>`, `<|endoftext|>`,
    /// `<|Human|>`, `<|unusedNNN|>`, ...). Other USER_DEFINED pieces, such as Yi's HTML tags
    /// (`<p>`, `<br>`) and code markers (`<filename>`), are ordinary text in conversations and are
    /// encoded as in plain text.
    public static func forbiddenLiterals(of model: SentencePieceModel) -> [String] {
        (0..<model.vocabularySize).compactMap { i -> String? in
            let id = TokenID(i)
            guard let kind = model.kind(of: id), kind == .userDefined || kind == .control,
                  let piece = model.piece(for: id), piece.hasPrefix("<|"), piece.hasSuffix("|>"), piece.count > 4,
                  !piece.dropFirst(2).dropLast(2).contains("|>") else { return nil }
            return piece
        }
    }
}

/// The mask rule applied token by token, as byte ranges become known.
private struct MaskMarker {
    let ranges: [Range<Int>]
    let turns: [ChatLayout.Turn]
    var mask: [UInt8]
    var turnEnds: [Int?]
    var range = 0
    var turn = 0
    var trained = 0

    init(tokens: Int, layout: ChatLayout) {
        ranges = layout.trainedRanges
        turns = layout.turns
        mask = [UInt8](repeating: 0, count: tokens)
        turnEnds = [Int?](repeating: nil, count: layout.turns.count)
    }

    /// Token `index` covers bytes `start..<end`: trained when that overlaps a trained range.
    @inline(__always)
    mutating func record(_ index: Int, _ start: Int, _ end: Int) {
        // Ranges are ascending: skip those that end before the token.
        while range < ranges.count && ranges[range].upperBound <= start { range += 1 }
        if range < ranges.count && ranges[range].lowerBound < end && start < end { mask[index] = 1; trained += 1 }
        while turn < turns.count && turns[turn].end <= end {
            if turns[turn].end == end { turnEnds[turn] = index + 1 }
            turn += 1
        }
    }

    var encoding: ChatMasker.Encoding { ChatMasker.Encoding(mask: mask, trainedTokens: trained, turnTokenEnds: turnEnds) }
}
