import YiChecksum
import YiCore

// The streaming pass over a shard's tokens and sidecar: one read of the `.bin` feeds the
// sha256, the id range check and, sequence by sequence, the boundary checks that need tokens
// (EOS at every document end, pad id after the last span).

extension ShardChecker {
    mutating func tokenPass() {
        guard let index, let bin = try? ReadOnlyFile(path: shard.binPath) else {
            sidecarPass()
            return
        }
        let dtype = index.header.dtype
        let width = dtype.byteWidth
        guard dtype.isInteger else { return }
        let limit = expectations.vocabularySize.map { Int64($0) } ?? Int64(clamping: dtype.maximumTokenID &+ 1)
        // Sequence-aligned chunks when every sequence has the bucket length and the pointers are
        // contiguous (always, for sound shards of ours); byte chunks otherwise.
        let sequenceTokens: Int? = structureSound && sidecar != nil ? uniformLength : nil
        let chunkBytes = sequenceTokens.map { max(1, (1 << 22) / ($0 * width)) * $0 * width } ?? (1 << 22)
        var hash = SHA256()
        var cursor = sidecar.map { SidecarSequenceCursor($0) }
        var spanIndex = 0
        var position: Int64 = 0
        var sidecarBroken = false
        var sequencesSeen = 0
        do {
            try bin.forEachChunk(chunkSize: chunkBytes) { chunk in
                hash.update(chunk)
                checkRange(chunk, at: position, dtype: dtype, limit: limit)
                if let length = sequenceTokens, !sidecarBroken, cursor != nil {
                    let sequenceBytes = length * width
                    var start = 0
                    while start + sequenceBytes <= chunk.count {
                        do {
                            guard let (k, records) = try cursor!.next() else { break }
                            let slice = UnsafeRawBufferPointer(rebasing: chunk[start..<start + sequenceBytes])
                            checkSequence(k, records, firstSpan: spanIndex, length: length,
                                          tokens: (slice, position + Int64(start), dtype))
                            spanIndex += records.count
                            sequencesSeen += 1
                        } catch let error as YiError {
                            problems.add(shard.docsPath, error.context.byteOffset, error.message)
                            sidecarBroken = true
                            break
                        }
                        start += sequenceBytes
                    }
                }
                position += Int64(chunk.count)
            }
        } catch let error as YiError {
            problems.add(shard.binPath, error.context.byteOffset, error.message)
        } catch {
            problems.add(shard.binPath, position, "\(error)")
        }
        binSHA256 = hash.finalizeHex()
        tokensRead = Int(position / Int64(width))
        if sequenceTokens == nil {
            if sidecar != nil {
                notes.append("\(shard.name): index or .bin inconsistent, sidecar checked without tokens")
            }
            sidecarPass()
        } else if let sidecar {
            observed.complete = !sidecarBroken && sequencesSeen == sidecar.sequenceCount
        }
    }

    /// Walks the sidecar alone (tokens not read, or not aligned with the index).
    mutating func sidecarPass() {
        guard let sidecar else { return }
        var cursor = SidecarSequenceCursor(sidecar)
        var spanIndex = 0
        let length = expectedLength ?? sidecar.sequenceLength
        do {
            while let (k, records) = try cursor.next() {
                checkSequence(k, records, firstSpan: spanIndex, length: length, tokens: nil)
                spanIndex += records.count
            }
            observed.complete = true
        } catch let error as YiError {
            problems.add(shard.docsPath, error.context.byteOffset, error.message)
        } catch {
            problems.add(shard.docsPath, nil, "\(error)")
        }
    }

    /// Ids must be non-negative and below the vocabulary (or the dtype's range).
    private mutating func checkRange(_ chunk: UnsafeRawBufferPointer, at position: Int64, dtype: MegatronDType, limit: Int64) {
        let width = dtype.byteWidth
        let count = chunk.count / width
        var firstBad = -1
        // Fast scans for the two types we write; the generic path covers foreign types.
        switch dtype {
        // The extremes first, in a loop without exits (the compiler vectorizes it); the
        // first bad id is looked for only when there is one.
        case .uint16:
            let bound = limit > 65_535 ? 65_536 : Int(limit)
            var largest: UInt16 = 0
            var i = 0
            #if _endian(little)
            var lanes = SIMD16<UInt16>(repeating: 0)
            while i + 16 <= count {
                lanes = pointwiseMax(lanes, chunk.loadUnaligned(fromByteOffset: 2 * i, as: SIMD16<UInt16>.self))
                i += 16
            }
            largest = lanes.max()
            #endif
            while i < count {
                largest = max(largest, UInt16(littleEndian: chunk.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                i += 1
            }
            if Int(largest) >= bound {
                firstBad = (0..<count).first { Int(UInt16(littleEndian: chunk.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) >= bound } ?? -1
            }
        case .int32:
            var smallest = Int32.max, largest = Int32.min
            var i = 0
            #if _endian(little)
            var low = SIMD8<Int32>(repeating: .max), high = SIMD8<Int32>(repeating: .min)
            while i + 8 <= count {
                let v = chunk.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Int32>.self)
                low = pointwiseMin(low, v)
                high = pointwiseMax(high, v)
                i += 8
            }
            smallest = low.min()
            largest = high.max()
            #endif
            while i < count {
                let v = Int32(littleEndian: chunk.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
                smallest = min(smallest, v)
                largest = max(largest, v)
                i += 1
            }
            if count > 0 && (smallest < 0 || Int64(largest) >= limit) {
                firstBad = (0..<count).first {
                    let v = Int64(Int32(littleEndian: chunk.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)))
                    return v < 0 || v >= limit
                } ?? -1
            }
        default:
            for i in 0..<count {
                let v = rawElement(chunk, i, dtype)
                if v < 0 || v >= limit { firstBad = i; break }
            }
        }
        guard firstBad >= 0 else { return }
        // Rare: report each bad id of this chunk (the problem list caps the output).
        for i in firstBad..<count {
            let v = rawElement(chunk, i, dtype)
            guard v < 0 || v >= limit else { continue }
            let why = v < 0 ? "is negative" : expectations.vocabularySize.map { "is not below the vocabulary size \($0)" }
                ?? "does not fit \(dtype.name)"
            problems.add(shard.binPath, position + Int64(i * width), "token id \(v) \(why)")
        }
    }

    /// Sidecar rules for one sequence; token checks when `tokens` is given.
    private mutating func checkSequence(_ k: Int, _ records: [SidecarSpanRecord], firstSpan: Int, length: Int,
                                        tokens: (raw: UnsafeRawBufferPointer, binOffset: Int64, dtype: MegatronDType)?) {
        guard let sidecar else { return }
        let path = shard.docsPath
        var expectedOffset = 0
        for (j, record) in records.enumerated() {
            let at = sidecar.recordOffset(firstSpan + j)
            let where_ = "sequence \(k) span \(j)"
            if Int(record.offset) != expectedOffset {
                problems.add(path, at + 8, "\(where_) starts at \(record.offset), expected \(expectedOffset) (spans must be contiguous)")
            }
            if record.length == 0 {
                problems.add(path, at + 12, "\(where_) is empty")
            }
            let end = Int(record.offset) + Int(record.length)
            if end > length {
                problems.add(path, at + 12, "\(where_) ends at token \(end), beyond the sequence length \(length)")
            }
            if record.flags & ~BoundarySidecarFormat.knownFlags != 0 {
                problems.add(path, at + 24, "\(where_) has unknown flag bits \(record.flags)")
            }
            if record.isContinuation != (record.part > 0) {
                problems.add(path, at + 24, "\(where_) continuation flag disagrees with its part number \(record.part)")
            }
            if record.reserved != 0 {
                problems.add(path, at + 28, "\(where_) reserved field is \(record.reserved), expected 0")
            }
            if let sources = expectations.sourceCount, Int(record.sourceIndex) >= sources {
                problems.add(path, at + 20, "\(where_) source index \(record.sourceIndex) is not in the manifest's \(sources) sources")
            }
            if record.isDocumentEnd, let eos = expectations.eosID, let tokens, end >= 1, end <= length {
                let last = rawElement(tokens.raw, end - 1, tokens.dtype)
                if last != Int64(eos) {
                    problems.add(shard.binPath, tokens.binOffset + Int64((end - 1) * tokens.dtype.byteWidth),
                                 "\(where_) ends a document but its last token is \(last), not EOS \(eos) (sequence \(k), token \(end - 1))")
                }
            }
            observed.spans += 1
            if record.isDocumentEnd { observed.documentEnds += 1 } else if record.part == 0 { observed.splitDocuments += 1 }
            expectedOffset = max(expectedOffset, end)
        }
        let used = min(expectedOffset, length)
        observed.padTokens += length - used
        if let pad = expectations.padID, let tokens {
            for i in used..<length where rawElement(tokens.raw, i, tokens.dtype) != Int64(pad) {
                problems.add(shard.binPath, tokens.binOffset + Int64(i * tokens.dtype.byteWidth),
                             "sequence \(k) token \(i) is padding (after the last span) but holds \(rawElement(tokens.raw, i, tokens.dtype)), not the pad id \(pad)")
                break
            }
        }
    }
}

/// Element `i` of a `.bin` buffer as a signed value (negative values of foreign signed types kept).
func rawElement(_ raw: UnsafeRawBufferPointer, _ i: Int, _ dtype: MegatronDType) -> Int64 {
    switch dtype {
    case .uint16: return Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
    case .int32: return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
    case .uint8: return Int64(raw[i])
    case .int8: return Int64(Int8(bitPattern: raw[i]))
    case .int16: return Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
    case .int64: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
    case .float32, .float64: return -1
    }
}
