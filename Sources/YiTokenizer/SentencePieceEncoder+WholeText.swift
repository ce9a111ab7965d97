import YiCore

extension SentencePieceEncoder {
    /// Encodes a whole normalized text in one merge, exactly as SentencePiece's
    /// `bpe::Model::SampleEncode` does: user-defined pieces frozen in place, UNUSED pieces split
    /// back through the halves last proposed for them (`rev_merge`). Used for vocabularies with
    /// multi-character UNUSED pieces, where segments are not independent.
    func encodeWholeText(_ text: UnsafeMutablePointer<UInt8>, _ count: Int, into ids: inout [TokenID], callStart: Int) {
        reserveSymbols(count + 1)
        let symbols = self.symbols
        let userDefined = model.userDefined
        var n = 0
        var position = 0
        while position < count {
            if !userDefined.isEmpty && userDefined.mayStart(with: text[position]),
               let match = userDefined.match(text + position, count - position) {
                symbols[n] = match.id | Self.frozenFlag
                n += 1
                position += match.length
                continue
            }
            let (id, length) = characterSymbol(text + position, count - position)
            symbols[n] = id >= 0 ? id : -1 - Int32(position)
            n += 1
            position += length
        }
        unusedSplits.removeAll(keepingCapacity: true)
        let remaining = n == 1 ? 1 : mergeWithHeap(n, recordUnusedSplits: true)
        for k in 0..<remaining {
            let symbol = symbols[k]
            if symbol >= 0 && symbol & Self.frozenFlag != 0 {
                ids.append(TokenID(bitPattern: symbol & ~Self.frozenFlag))
            } else if symbol < 0 {
                emitSymbol(symbol, segment: text, segmentLength: count, into: &ids, segmentStart: callStart)
            } else {
                splitBack(symbol, depth: 0, into: &ids, segmentStart: callStart)
            }
        }
    }

    /// SentencePiece's `resegment`: an UNUSED piece is replaced by the two halves it was last
    /// proposed from, recursively; one never proposed comes out as unknown.
    private func splitBack(_ symbol: Int32, depth: Int, into ids: inout [TokenID], segmentStart: Int) {
        let isReal = Int(symbol) < model.vocabularySize
        if depth > Self.maxSplitDepth {
            if isReal && model.type(of: symbol) != .unknown {
                ids.append(TokenID(bitPattern: symbol))
            } else {
                emitUnknown(model.pieceBytesBuffer(symbol), into: &ids, segmentStart: segmentStart)
            }
            return
        }
        let emit = model.emitClass[Int(symbol)]
        if emit >= 0 {
            ids.append(TokenID(bitPattern: emit))
        } else if emit == SentencePieceModel.emitUnused, let (left, right) = unusedSplits[symbol] {
            splitBack(left, depth: depth + 1, into: &ids, segmentStart: segmentStart)
            splitBack(right, depth: depth + 1, into: &ids, segmentStart: segmentStart)
        } else {
            emitUnknown(model.pieceBytesBuffer(symbol), into: &ids, segmentStart: segmentStart)
        }
    }
}
