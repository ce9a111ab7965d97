import YiCore

/// A reason a model cannot be used, turned into a `YiError(.tokenizer)` by the loader.
struct LoadProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension SentencePieceModel {
    /// Everything derived from the `ModelProto` at load time.
    struct Tables {
        var pieceBytes: ByteArena
        var pieceTypes: FrozenBuffer<UInt8>
        var scores: FrozenBuffer<Float>
        var symbols: PieceTable
        var bmpSymbols: FrozenBuffer<Int32>
        var merges: PairMergeTable
        var emitClass: FrozenBuffer<Int32>
        var byteIDs: FrozenBuffer<Int32>
        var byteValues: FrozenBuffer<Int16>
        var userDefined: UserDefinedMatcher
        var normalizer: Normalizer
        var denormalizer: Normalizer?
        var unknownID: Int32
        var segmentation: Segmentation
        var specialIDs: (unk: TokenID?, bos: TokenID?, eos: TokenID?, pad: TokenID?)
        var flags: Flags

        init(_ proto: ModelProto) throws {
            let trainer = proto.trainerSpec
            guard trainer.modelType == .bpe else {
                throw LoadProblem("unsupported model type \(trainer.modelType.name): yi-prep tokenizes with SentencePiece BPE models only (such as Yi's or Llama-2's tokenizer.model)")
            }
            let pieces = proto.pieces
            guard pieces.count < 1 << 30 else { throw LoadProblem("the model has too many pieces (\(pieces.count))") }
            var types = pieces.map(\.type)
            // SentencePiece 0.2.x treats a raw "\0" piece as UNUSED when byte_fallback is on
            // (third-party converters add one) and then leaves it out of the vocabulary map.
            if trainer.byteFallback {
                for i in pieces.indices where pieces[i].bytes == [0] { types[i] = .unused }
            }

            // ModelInterface::InitializePieces: the same checks, the same map (all types).
            var keys: [[UInt8]] = []
            var keyIDs: [Int32] = []
            keys.reserveCapacity(pieces.count)
            keyIDs.reserveCapacity(pieces.count)
            var unknownID: Int32 = -1
            var byteIDs = [Int32](repeating: -1, count: 256)
            var byteValues = [Int16](repeating: -1, count: pieces.count)
            var userDefinedPieces: [(bytes: [UInt8], id: Int32)] = []
            for (i, piece) in pieces.enumerated() {
                let label = "piece \(i) (\(Self.printable(piece.bytes)))"
                if piece.bytes.count >= 8000 { throw LoadProblem("\(label) is too long (\(piece.bytes.count) bytes)") }
                if piece.bytes.isEmpty { throw LoadProblem("piece \(i) is empty; pieces must not be empty") }
                if piece.bytes == [0] && types[i] == .unused { continue }
                if piece.bytes.contains(0) { throw LoadProblem("\(label) contains a NUL character") }
                keys.append(piece.bytes)
                keyIDs.append(Int32(i))
                switch types[i] {
                case .userDefined:
                    userDefinedPieces.append((piece.bytes, Int32(i)))
                case .unknown:
                    if unknownID >= 0 { throw LoadProblem("the UNKNOWN piece is defined twice (ids \(unknownID) and \(i))") }
                    unknownID = Int32(i)
                case .byte:
                    guard trainer.byteFallback else {
                        throw LoadProblem("byte \(label) is found although byte_fallback is false")
                    }
                    guard let value = Self.byteValue(ofPiece: piece.bytes) else {
                        throw LoadProblem("byte \(label) is invalid (expected <0xNN>)")
                    }
                    byteIDs[Int(value)] = Int32(i)
                    byteValues[i] = Int16(value)
                default:
                    break
                }
            }
            if unknownID < 0 && !trainer.byteFallback {
                throw LoadProblem("the model defines no UNKNOWN piece (<unk>) and has no byte fallback")
            }
            if trainer.byteFallback && byteIDs.contains(-1) {
                throw LoadProblem("byte_fallback is on but the model lacks some of the 256 byte pieces <0x00>...<0xFF>")
            }

            // Characters that occur inside mergeable pieces without being pieces get "virtual"
            // ids after the real ones, so that merging can work on ids alone.
            func isMergeable(_ type: ModelProto.PieceType) -> Bool {
                type == .normal || type == .userDefined || type == .unused
            }
            let real = PieceTable.build(keys: keys, values: keyIDs)
            guard case .success(let realTable) = real else {
                if case .failure(let duplicate) = real {
                    throw LoadProblem("piece \(keyIDs[duplicate.second]) (\(Self.printable(keys[duplicate.second]))) is already defined (as piece \(keyIDs[duplicate.first]))")
                }
                fatalError("unreachable")
            }
            var virtualChars: [[UInt8]] = []
            var virtualIndex: [[UInt8]: Int32] = [:]
            for (i, piece) in pieces.enumerated() where isMergeable(types[i]) && !(piece.bytes == [0] && types[i] == .unused) {
                let chars = Self.characters(piece.bytes)
                guard chars.count >= 2 else { continue }
                for char in chars where realTable.lookup(char) < 0 && virtualIndex[char] == nil {
                    virtualIndex[char] = Int32(pieces.count + virtualChars.count)
                    virtualChars.append(char)
                }
            }
            let symbolKeys = keys + virtualChars
            let symbolIDs = keyIDs + virtualChars.indices.map { Int32(pieces.count + $0) }
            guard case .success(let symbols) = PieceTable.build(keys: symbolKeys, values: symbolIDs) else {
                fatalError("virtual characters are new keys by construction")
            }
            let symbolCount = pieces.count + virtualChars.count

            var bmp = [Int32](repeating: -1, count: 0x10000)
            for (k, key) in symbolKeys.enumerated() {
                key.withUnsafeBufferPointer { buffer in
                    let length = SentencePieceUTF8.validCharLength(buffer.baseAddress!, buffer.count)
                    guard length == buffer.count else { return }
                    let cp = SentencePieceUTF8.codePoint(buffer.baseAddress!, length)
                    if cp < 0x10000 { bmp[Int(cp)] = symbolIDs[k] }
                }
            }

            // Merge rules: every split of a mergeable piece into two symbols.
            var mergeEntries: [(key: UInt64, value: UInt64)] = []
            mergeEntries.reserveCapacity(pieces.count * 4)
            for (i, piece) in pieces.enumerated() where isMergeable(types[i]) && !(piece.bytes == [0] && types[i] == .unused) {
                let bytes = piece.bytes
                let rank = UInt64(piece.score.mergeRank)
                var boundary = 0
                bytes.withUnsafeBufferPointer { buffer in
                    let base = buffer.baseAddress!
                    boundary = min(SentencePieceUTF8.oneCharLength(base[0]), buffer.count)
                    while boundary < buffer.count {
                        let left = symbols.lookup(base, boundary)
                        let right = symbols.lookup(base + boundary, buffer.count - boundary)
                        if left >= 0 && right >= 0 {
                            mergeEntries.append((PairMergeTable.key(left, right), UInt64(i) << 32 | rank))
                        }
                        boundary += min(SentencePieceUTF8.oneCharLength(base[boundary]), buffer.count - boundary)
                    }
                }
            }

            var emit = [Int32](repeating: SentencePieceModel.emitUnknown, count: symbolCount)
            for i in pieces.indices {
                switch types[i] {
                case .normal, .userDefined: emit[i] = Int32(i)
                case .unused: emit[i] = SentencePieceModel.emitUnused
                default: break
                }
            }

            let userDefined = UserDefinedMatcher(pieces: userDefinedPieces)
            let normalizer: Normalizer
            var denormalizer: Normalizer?
            do {
                normalizer = try Normalizer(
                    spec: proto.normalizerSpec, treatWhitespaceAsSuffix: trainer.treatWhitespaceAsSuffix,
                    userDefined: userDefined,
                    userDefinedAreWellFormed: userDefinedPieces.allSatisfy { SentencePieceUTF8.isWellFormed($0.bytes) })
                if let spec = proto.denormalizerSpec, !spec.precompiledCharsmap.isEmpty {
                    denormalizer = try Normalizer(spec: spec, treatWhitespaceAsSuffix: false, userDefined: nil,
                                                  userDefinedAreWellFormed: true)
                }
            } catch let problem as PrecompiledCharsMap.Problem {
                throw LoadProblem(problem.description)
            }

            // SentencePieceProcessor::Load: special ids by the trainer spec's piece names.
            func lookupID(_ name: [UInt8], default fallback: String) -> Int32 {
                let id = symbols.lookup(name.isEmpty ? Array(fallback.utf8) : name)
                return id >= 0 && Int(id) < pieces.count ? id : unknownID
            }
            func special(_ id: Int32, _ type: ModelProto.PieceType) -> TokenID? {
                id >= 0 && types[Int(id)] == type ? TokenID(id) : nil
            }
            specialIDs = (
                unk: special(lookupID(trainer.unkPiece, default: "<unk>"), .unknown),
                bos: special(lookupID(trainer.bosPiece, default: "<s>"), .control),
                eos: special(lookupID(trainer.eosPiece, default: "</s>"), .control),
                pad: special(lookupID(trainer.padPiece, default: "<pad>"), .control))

            segmentation = Self.segmentation(pieces: pieces, types: types, spaceSymbol: normalizer.spaceSymbol)
            func count(_ type: ModelProto.PieceType) -> Int { types.lazy.filter { $0 == type }.count }
            flags = Flags(
                modelType: trainer.modelType.name, normalizerName: proto.normalizerSpec.name,
                hasPrecompiledCharsmap: normalizer.charsMap != nil,
                addDummyPrefix: normalizer.addDummyPrefix, removeExtraWhitespaces: normalizer.removeExtraWhitespaces,
                escapeWhitespaces: normalizer.escapeWhitespaces, treatWhitespaceAsSuffix: trainer.treatWhitespaceAsSuffix,
                byteFallback: trainer.byteFallback, splitDigits: trainer.splitDigits, hasDenormalizer: denormalizer != nil,
                normalPieces: count(.normal), userDefinedPieces: count(.userDefined), controlPieces: count(.control),
                bytePieces: count(.byte), unusedPieces: count(.unused),
                segmentedEncoding: segmentation != .wholeText)

            pieceBytes = ByteArena(pieces.map(\.bytes) + virtualChars)
            pieceTypes = FrozenBuffer(types.map(\.rawValue))
            scores = FrozenBuffer(pieces.map(\.score))
            self.symbols = symbols
            bmpSymbols = FrozenBuffer(bmp)
            merges = PairMergeTable(entries: mergeEntries)
            emitClass = FrozenBuffer(emit)
            self.byteIDs = FrozenBuffer(byteIDs)
            self.byteValues = FrozenBuffer(byteValues)
            self.userDefined = userDefined
            self.normalizer = normalizer
            self.denormalizer = denormalizer
            self.unknownID = unknownID
        }

        /// Where text may be cut into independently merged segments (see `Segmentation`).
        static func segmentation(pieces: [ModelProto.Piece], types: [ModelProto.PieceType],
                                 spaceSymbol: [UInt8]) -> Segmentation {
            var characterThenSpace = false
            var spaceThenCharacter = false
            for (i, piece) in pieces.enumerated() {
                // USER_DEFINED pieces are matched whole before merging and never merged into.
                guard types[i] == .normal || types[i] == .unused else { continue }
                let chars = characters(piece.bytes)
                if types[i] == .unused && chars.count >= 2 { return .wholeText }
                for k in chars.indices.dropFirst() {
                    let previousIsSpace = chars[k - 1] == spaceSymbol
                    let isSpace = chars[k] == spaceSymbol
                    if isSpace && !previousIsSpace { characterThenSpace = true }
                    if !isSpace && previousIsSpace { spaceThenCharacter = true }
                }
            }
            if !characterThenSpace { return .beforeSpaceRuns }
            if !spaceThenCharacter { return .afterSpaceRuns }
            return .userDefinedOnly
        }

        /// Splits bytes into characters the way BPE splits text (`OneCharLen`, clipped).
        static func characters(_ bytes: [UInt8]) -> [[UInt8]] {
            var result: [[UInt8]] = []
            var i = 0
            while i < bytes.count {
                let n = min(SentencePieceUTF8.oneCharLength(bytes[i]), bytes.count - i)
                result.append(Array(bytes[i..<(i + n)]))
                i += n
            }
            return result
        }

        /// `PieceToByte`: the value of a `<0xNN>` piece (upper-case hex), or nil.
        static func byteValue(ofPiece bytes: [UInt8]) -> UInt8? {
            guard bytes.count == 6, bytes[0] == 0x3C, bytes[1] == 0x30, bytes[2] == 0x78, bytes[5] == 0x3E else { return nil }
            func hex(_ c: UInt8) -> UInt8? {
                switch c {
                case 0x30...0x39: return c - 0x30
                case 0x41...0x46: return c - 0x41 + 10
                default: return nil
                }
            }
            guard let high = hex(bytes[3]), let low = hex(bytes[4]) else { return nil }
            return high << 4 | low
        }

        static func printable(_ bytes: [UInt8]) -> String {
            let text = String(decoding: bytes.prefix(40), as: UTF8.self)
            return "\"" + text.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + (bytes.count > 40 ? "…" : "") + "\""
        }
    }
}
