import YiCore

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
/// Each token's piece is matched against the text (a `▁` matches a space or a literal `▁`), so a
/// mismatch is detected instead of giving a wrong mask.
public struct ChatMasker: Sendable {
    public let model: SentencePieceModel

    public init(model: SentencePieceModel) throws {
        let flags = model.flags
        guard !flags.hasPrecompiledCharsmap, !flags.addDummyPrefix, !flags.removeExtraWhitespaces else {
            throw YiError(.tokenizer, "chat loss masks need a tokenizer without text normalization (no charsmap, no dummy prefix, no whitespace folding), as Yi's; this model normalizes text, so token byte ranges cannot be traced")
        }
        self.model = model
    }

    /// What a conversation's tokens are.
    public struct Encoding: Sendable, Equatable {
        /// 0/1 per token.
        public var mask: [UInt8]
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

    func mask(ids: UnsafeBufferPointer<TokenID>, text: UnsafeBufferPointer<UInt8>, layout: ChatLayout) -> Encoding? {
        let escape = model.flags.escapeWhitespaces
        let ranges = layout.trainedRanges
        var mask = [UInt8](repeating: 0, count: ids.count)
        var turnEnds = [Int?](repeating: nil, count: layout.turns.count)
        var range = 0
        var turn = 0
        var position = 0
        for (index, id) in ids.enumerated() {
            let start = position
            guard let type = model.type(of: Int32(id)) else { return nil }
            switch type {
            case .byte:
                guard position < text.count, Int(model.byteValues[Int(id)]) == Int(text[position]) else { return nil }
                position += 1
            case .normal, .userDefined:
                let lower = Int(model.pieceBytes.offsets[Int(id)]), upper = Int(model.pieceBytes.offsets[Int(id) + 1])
                var j = lower
                while j < upper {
                    let byte = model.pieceBytes.bytes[j]
                    if escape, byte == 0xE2, j + 2 < upper, model.pieceBytes.bytes[j + 1] == 0x96, model.pieceBytes.bytes[j + 2] == 0x81 {
                        // `▁` stands for a space, or for itself when the text holds a literal U+2581.
                        if position < text.count && text[position] == 0x20 {
                            position += 1
                        } else if position + 2 < text.count, text[position] == 0xE2, text[position + 1] == 0x96, text[position + 2] == 0x81 {
                            position += 3
                        } else {
                            return nil
                        }
                        j += 3
                    } else {
                        guard position < text.count, text[position] == byte else { return nil }
                        position += 1
                        j += 1
                    }
                }
            case .unknown, .control, .unused:
                return nil
            }
            // Overlap with the trained ranges (ascending): skip ranges that end before the token.
            while range < ranges.count && ranges[range].upperBound <= start { range += 1 }
            if range < ranges.count && ranges[range].lowerBound < position && start < position { mask[index] = 1 }
            while turn < turnEnds.count && layout.turns[turn].end <= position {
                if layout.turns[turn].end == position { turnEnds[turn] = index + 1 }
                turn += 1
            }
        }
        guard position == text.count else { return nil }
        return Encoding(mask: mask, turnTokenEnds: turnEnds)
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
