extension SentencePieceEncoder {
    /// Encodes a whole normalized text in one merge, exactly as SentencePiece's
    /// `bpe::Model::SampleEncode` does: user-defined pieces frozen in place, UNUSED pieces split
    /// back through the halves last proposed for them (`rev_merge`). Used for vocabularies with
    /// multi-character UNUSED pieces, where parts of a text are not independent.
    func encodeWholeText(_ text: UnsafeMutablePointer<UInt8>, _ count: Int, into sink: inout TokenSink,
                         workspace: inout MergeWorkspace) {
        if count + 1 > workspace.capacity { grow(&workspace, to: count + 1) }
        let symbols = workspace.symbols
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
        let remaining = n == 1 ? 1 : mergeWithHeap(symbols, n, workspace: workspace, recordUnusedSplits: true)
        for k in 0..<remaining {
            let symbol = symbols[k]
            if symbol >= 0 && symbol & Self.frozenFlag != 0 {
                sink.append(UInt32(bitPattern: symbol & ~Self.frozenFlag))
            } else if symbol < 0 {
                emitSymbol(symbol, segment: text, segmentLength: count, into: &sink, unitStart: 0)
            } else {
                splitBack(symbol, depth: 0, into: &sink)
            }
        }
    }

    /// SentencePiece's `resegment`: an UNUSED piece is replaced by the two halves it was last
    /// proposed from, recursively; one never proposed comes out as unknown.
    private func splitBack(_ symbol: Int32, depth: Int, into sink: inout TokenSink) {
        let isReal = Int(symbol) < model.vocabularySize
        if depth > Self.maxSplitDepth {
            if isReal && model.type(of: symbol) != .unknown {
                sink.append(UInt32(bitPattern: symbol))
            } else {
                emitUnknown(pieceBytes[Int(symbol)], into: &sink, unitStart: 0)
            }
            return
        }
        let emit = emitClass[Int(symbol)]
        if emit >= 0 {
            sink.append(UInt32(bitPattern: emit))
        } else if emit == SentencePieceModel.emitUnused, let (left, right) = unusedSplits[symbol] {
            splitBack(left, depth: depth + 1, into: &sink)
            splitBack(right, depth: depth + 1, into: &sink)
        } else {
            emitUnknown(pieceBytes[Int(symbol)], into: &sink, unitStart: 0)
        }
    }
}
