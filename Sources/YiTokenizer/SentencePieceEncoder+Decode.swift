import YiCore

extension SentencePieceEncoder {
    /// The text of `ids`, as SentencePiece's `DecodeIds` gives it: CONTROL pieces vanish,
    /// `<unk>` becomes the model's unknown surface (" ⁇ "), runs of byte pieces are reassembled
    /// into UTF-8 (each byte that starts no well-formed character becomes U+FFFD), `▁` becomes a
    /// space, and the dummy-prefix space is dropped from the first piece. Ids outside the
    /// vocabulary (SentencePiece refuses them) decode to U+FFFD.
    public func decode(_ ids: [TokenID]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    /// `decode` as UTF-8 bytes.
    public func decodeBytes(_ ids: [TokenID]) -> [UInt8] {
        let model = self.model
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        var pendingBytes: [UInt8] = []
        let stripsLeadingSpace = model.normalizer.addDummyPrefix || model.normalizer.removeExtraWhitespaces
        var expectsLeadingSpace = true

        func flushBytes() {
            guard !pendingBytes.isEmpty else { return }
            pendingBytes.withUnsafeBufferPointer { SentencePieceUTF8.appendRepairing($0, to: &out) }
            pendingBytes.removeAll(keepingCapacity: true)
        }

        for id in ids {
            guard Int(id) < model.vocabularySize else {
                flushBytes()
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                continue
            }
            let byteValue = model.byteValues[Int(id)]
            if byteValue >= 0 {
                pendingBytes.append(UInt8(byteValue))
                continue
            }
            flushBytes()
            if !out.isEmpty { expectsLeadingSpace = false }
            let type = model.type(of: Int32(id))
            if type == .control { continue }
            var piece = pieceBytes[Int(id)]
            var consumedLeadingSpace = false
            if expectsLeadingSpace && stripsLeadingSpace {
                if piece.count >= 3 && piece[0] == 0xE2 && piece[1] == 0x96 && piece[2] == 0x81 {
                    piece = UnsafeBufferPointer(rebasing: piece[3...])
                    consumedLeadingSpace = true
                }
                if model.normalizer.removeExtraWhitespaces { consumedLeadingSpace = false }
            }
            if type == .unknown {
                out.append(contentsOf: model.unknownSurface)
            } else {
                Self.appendUnescaped(piece, to: &out)
            }
            if consumedLeadingSpace || !out.isEmpty { expectsLeadingSpace = false }
        }
        flushBytes()
        if let denormalizer = model.denormalizer {
            var denormalized: [UInt8] = []
            _ = out.withUnsafeBufferPointer { denormalizer.normalize($0, into: &denormalized) }
            return denormalized
        }
        return out
    }

    /// Appends a piece with each `▁` (U+2581) turned back into a space.
    @inline(__always)
    static func appendUnescaped(_ piece: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var i = 0
        let n = piece.count
        while i < n {
            if piece[i] == 0xE2 && i + 2 < n && piece[i + 1] == 0x96 && piece[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(piece[i])
                i += 1
            }
        }
    }
}
