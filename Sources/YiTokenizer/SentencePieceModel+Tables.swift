import YiCore

/// A reason a model cannot be used, turned into a `YiError(.tokenizer)` by the loader.
struct LoadProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension SentencePieceModel {
    /// Everything derived from the `ModelProto` at load time (memory owned by `storage`).
    struct Tables {
        var pieceBytes: ByteArena
        var pieceTypes: UnsafeMutablePointer<UInt8>
        var scores: UnsafeMutablePointer<Float>
        var symbols: PieceTable
        var bmpSymbols: UnsafeMutablePointer<Int32>
        var characterPairs: PairMergeTable
        var pieceMerges: PairMergeTable
        var emitClass: UnsafeMutablePointer<Int32>
        var emitsItself: SymbolBits
        var byteIDs: UnsafeMutablePointer<Int32>
        var byteValues: UnsafeMutablePointer<Int16>
        var userDefined: UserDefinedMatcher
        var normalizer: Normalizer
        var denormalizer: Normalizer?
        var unknownID: Int32
        var segmentation: Segmentation
        var specialIDs: (unk: TokenID?, bos: TokenID?, eos: TokenID?, pad: TokenID?)
        var flags: Flags

        init(_ proto: ModelProto, serialized: UnsafeBufferPointer<UInt8>, storage: TableStorage) throws {
            let trainer = proto.trainerSpec
            guard proto.hasTrainerSpec else {
                throw LoadProblem("not a complete SentencePiece model: it has \(proto.pieces.count) pieces but no trainer_spec (truncated file, or not a .model file?)")
            }
            guard !proto.pieces.isEmpty else { throw LoadProblem("the model has no pieces") }
            guard trainer.modelType == .bpe else {
                throw LoadProblem("unsupported model type \(trainer.modelType.name): yi-prep tokenizes with SentencePiece BPE models only (such as Yi's or Llama-2's tokenizer.model)")
            }
            let pieces = proto.pieces
            let n = pieces.count
            guard n < 1 << 20 else { throw LoadProblem("the model has too many pieces (\(n)); yi-prep supports up to 1,048,575") }
            func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: serialized[pieces[i].range]) }
            func isNullPiece(_ i: Int) -> Bool { pieces[i].range.count == 1 && serialized[pieces[i].range.lowerBound] == 0 }
            func label(_ i: Int) -> String { "piece \(i) (\(Self.printable(bytes(i))))" }

            var types = pieces.map(\.type)
            // SentencePiece 0.2.x treats a raw "\0" piece as UNUSED when byte_fallback is on
            // (third-party converters add one) and then leaves it out of the vocabulary map.
            if trainer.byteFallback {
                for i in 0..<n where isNullPiece(i) { types[i] = .unused }
            }

            // ModelInterface::InitializePieces: the same checks, one map for all types.
            var realIDs: [Int32] = []
            realIDs.reserveCapacity(n)
            var unknownID: Int32 = -1
            var byteIDs = [Int32](repeating: -1, count: 256)
            var byteValues = [Int16](repeating: -1, count: n)
            var userDefinedPieces: [(bytes: UnsafeBufferPointer<UInt8>, id: Int32)] = []
            for i in 0..<n {
                let piece = bytes(i)
                if piece.count >= 8000 { throw LoadProblem("\(label(i)) is too long (\(piece.count) bytes)") }
                if piece.isEmpty { throw LoadProblem("piece \(i) is empty; pieces must not be empty") }
                if isNullPiece(i) && types[i] == .unused { continue }
                if piece.contains(0) { throw LoadProblem("\(label(i)) contains a NUL character") }
                realIDs.append(Int32(i))
                switch types[i] {
                case .userDefined:
                    userDefinedPieces.append((piece, Int32(i)))
                case .unknown:
                    if unknownID >= 0 { throw LoadProblem("the UNKNOWN piece is defined twice (ids \(unknownID) and \(i))") }
                    unknownID = Int32(i)
                case .byte:
                    guard trainer.byteFallback else { throw LoadProblem("byte \(label(i)) is found although byte_fallback is false") }
                    guard let value = Self.byteValue(ofPiece: piece) else { throw LoadProblem("byte \(label(i)) is invalid (expected <0xNN>)") }
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

            func isMergeable(_ id: Int32) -> Bool {
                let type = types[Int(id)]
                return type == .normal || type == .userDefined || type == .unused
            }
            let ranges = pieces.map(\.range)
            let realArena = ByteArena(storage: storage, source: serialized, ranges: ranges)
            let realTable: PieceTable
            switch PieceTable.build(storage: storage, arena: realArena, ids: realIDs) {
            case .success(let table): realTable = table
            case .failure(let duplicate):
                throw LoadProblem("\(label(Int(duplicate.second))) is already defined (as piece \(duplicate.first))")
            }

            // Single characters of the Basic Multilingual Plane are looked up in a direct table
            // (the encoder's `bmpSymbols`), filled as ids are added; others in the hash table.
            let bmp = storage.allocate(0x10000, repeating: Int32(-1))
            func addToBMP(_ id: Int32, _ key: UnsafeBufferPointer<UInt8>) {
                let length = SentencePieceUTF8.validCharLength(key.baseAddress!, key.count)
                guard length == key.count else { return }
                let cp = SentencePieceUTF8.codePoint(key.baseAddress!, length)
                if cp < 0x10000 { bmp[Int(cp)] = id }
            }
            @inline(__always) func characterID(_ p: UnsafePointer<UInt8>, _ length: Int, _ table: PieceTable) -> Int32 {
                if SentencePieceUTF8.validCharLength(p, length) == length {
                    let cp = SentencePieceUTF8.codePoint(p, length)
                    if cp < 0x10000 { return bmp[Int(cp)] }
                }
                return table.lookup(p, length)
            }
            for id in realIDs { addToBMP(id, realArena[Int(id)]) }

            // Characters inside mergeable pieces that are no pieces get virtual ids.
            var virtualChars: [[UInt8]] = []
            var virtualSeen: Set<[UInt8]> = []
            for id in realIDs where isMergeable(id) {
                let piece = realArena[Int(id)]
                guard Self.characterCount(piece) >= 2 else { continue }
                Self.forEachCharacter(piece) { start, length in
                    if characterID(piece.baseAddress! + start, length, realTable) < 0 {
                        let char = Array(piece[start..<(start + length)])
                        if virtualSeen.insert(char).inserted { virtualChars.append(char) }
                    }
                }
            }
            let virtualIDs = virtualChars.indices.map { Int32(n + $0) }
            let arena: ByteArena
            let symbols: PieceTable
            if virtualChars.isEmpty {
                arena = realArena
                symbols = realTable
            } else {
                arena = ByteArena(storage: storage, source: serialized, ranges: ranges, extra: virtualChars)
                guard case .success(let table) = PieceTable.build(storage: storage, arena: arena, ids: realIDs + virtualIDs) else {
                    fatalError("virtual characters are new strings by construction")
                }
                symbols = table
                for id in virtualIDs { addToBMP(id, arena[Int(id)]) }
            }

            // Merge rules (every split of a mergeable piece into two symbols) and adjacency
            // (every two characters next to each other in a mergeable piece).
            guard n + virtualChars.count < Int(PairMergeTable.idLimit) else {
                throw LoadProblem("the model has too many pieces and characters (\(n + virtualChars.count))")
            }
            // Two tables: pairs of single characters (merges and adjacency: what the first
            // lookup of every character pair asks, a small table that stays in cache) and merges
            // with a longer piece on either side (asked only after a merge).
            // Each adjacency is listed once (`characterPairKeys`): most recur in many pieces, and
            // listing every occurrence built and counted a 3 MB array for Yi's 18 K pairs.
            var characterPairEntries: [(left: Int32, right: Int32, merged: Int32)] = []
            // Sized for n / 2 pairs (Yi: 18 K for 64 K pieces), so that it rarely grows.
            let characterPairKeys = PairKeySet(expected: n / 2)
            var pieceMergeEntries: [(left: Int32, right: Int32, merged: Int32)] = []
            pieceMergeEntries.reserveCapacity(n * 4)
            for id in realIDs where isMergeable(id) {
                let piece = arena[Int(id)]
                let base = piece.baseAddress!
                var previousCharacter: Int32 = -1
                var characterIndex = 0
                Self.forEachCharacter(piece) { start, length in
                    let character = characterID(base + start, length, symbols)
                    if start > 0 {
                        if characterPairKeys.insert(previousCharacter, character) {
                            characterPairEntries.append((previousCharacter, character, -1))
                        }
                        // The first split's left side and the last split's right side are
                        // single characters, already looked up. The right side is looked up only
                        // when the left is a symbol (Yi: 70 K of the 183 K left sides are none).
                        let left = characterIndex == 1 ? previousCharacter : symbols.lookup(base, start)
                        let right = left < 0 ? -1
                            : start + length == piece.count ? character : symbols.lookup(base + start, piece.count - start)
                        if left >= 0 && right >= 0 {
                            if characterIndex == 1 && start + length == piece.count {
                                characterPairEntries.append((left, right, id))
                            } else {
                                pieceMergeEntries.append((left, right, id))
                            }
                        }
                    }
                    previousCharacter = character
                    characterIndex += 1
                }
            }

            var emit = [Int32](repeating: SentencePieceModel.emitUnknown, count: n + virtualChars.count)
            for i in 0..<n {
                switch types[i] {
                case .normal, .userDefined: emit[i] = Int32(i)
                case .unused: emit[i] = SentencePieceModel.emitUnused
                default: break
                }
            }

            let userDefined = UserDefinedMatcher(storage: storage, pieces: userDefinedPieces, symbolCount: n + virtualChars.count)
            let normalizer: Normalizer
            var denormalizer: Normalizer?
            do {
                normalizer = try Normalizer(
                    storage: storage, spec: proto.normalizerSpec, treatWhitespaceAsSuffix: trainer.treatWhitespaceAsSuffix,
                    userDefined: userDefined,
                    userDefinedAreWellFormed: userDefinedPieces.allSatisfy { SentencePieceUTF8.isWellFormed($0.bytes) })
                if let spec = proto.denormalizerSpec, !spec.precompiledCharsmap.isEmpty {
                    denormalizer = try Normalizer(storage: storage, spec: spec, treatWhitespaceAsSuffix: false,
                                                  userDefined: nil, userDefinedAreWellFormed: true)
                }
            } catch let problem as PrecompiledCharsMap.Problem {
                throw LoadProblem(problem.description)
            }

            // SentencePieceProcessor::Load: special ids by the trainer spec's piece names.
            func lookupID(_ name: [UInt8], default fallback: String) -> Int32 {
                let id = symbols.lookup(name.isEmpty ? Array(fallback.utf8) : name)
                return id >= 0 && Int(id) < n ? id : unknownID
            }
            func special(_ id: Int32, _ type: ModelProto.PieceType) -> TokenID? {
                id >= 0 && types[Int(id)] == type ? TokenID(id) : nil
            }
            specialIDs = (
                unk: special(lookupID(trainer.unkPiece, default: "<unk>"), .unknown),
                bos: special(lookupID(trainer.bosPiece, default: "<s>"), .control),
                eos: special(lookupID(trainer.eosPiece, default: "</s>"), .control),
                pad: special(lookupID(trainer.padPiece, default: "<pad>"), .control))

            segmentation = Self.segmentation(arena: arena, ids: realIDs, types: types, spaceSymbol: normalizer.spaceSymbol)
            var typeCounts = [Int](repeating: 0, count: 256)   // one pass, by raw value
            for type in types { typeCounts[Int(type.rawValue)] += 1 }
            func count(_ type: ModelProto.PieceType) -> Int { typeCounts[Int(type.rawValue)] }
            flags = Flags(
                modelType: trainer.modelType.name, normalizerName: proto.normalizerSpec.name,
                hasPrecompiledCharsmap: normalizer.charsMap != nil,
                addDummyPrefix: normalizer.addDummyPrefix, removeExtraWhitespaces: normalizer.removeExtraWhitespaces,
                escapeWhitespaces: normalizer.escapeWhitespaces, treatWhitespaceAsSuffix: trainer.treatWhitespaceAsSuffix,
                byteFallback: trainer.byteFallback, splitDigits: trainer.splitDigits, hasDenormalizer: denormalizer != nil,
                normalPieces: count(.normal), userDefinedPieces: count(.userDefined), controlPieces: count(.control),
                bytePieces: count(.byte), unusedPieces: count(.unused),
                segmentedEncoding: segmentation != .wholeText)

            pieceBytes = arena
            pieceTypes = storage.copy(types.map(\.rawValue))
            scores = storage.copy(pieces.map(\.score))
            self.symbols = symbols
            bmpSymbols = bmp
            let ranks = storage.copy(pieces.map(\.score.mergeRank))
            // A two-character piece's merge has the key of an adjacency: the keys are the
            // adjacencies. A longer piece's splits are distinct pairs (their concatenations differ
            // or their split points do), so the piece merges need no count.
            characterPairs = PairMergeTable(storage: storage, entries: characterPairEntries, ranks: ranks, maxLoadEighths: 3,
                                            distinctKeys: characterPairKeys.count)
            pieceMerges = PairMergeTable(storage: storage, entries: pieceMergeEntries, ranks: ranks, distinctKeys: pieceMergeEntries.count)
            emitClass = storage.copy(emit)
            emitsItself = SymbolBits(storage: storage, count: emit.count) { emit[$0] >= 0 }
            self.byteIDs = storage.copy(byteIDs)
            self.byteValues = storage.copy(byteValues)
            self.userDefined = userDefined
            self.normalizer = normalizer
            self.denormalizer = denormalizer
            self.unknownID = unknownID
        }

        /// Where text may be cut into independently merged segments (see `Segmentation`).
        static func segmentation(arena: ByteArena, ids: [Int32], types: [ModelProto.PieceType],
                                 spaceSymbol: [UInt8]) -> Segmentation {
            var characterThenSpace = false
            var spaceThenCharacter = false
            for id in ids {
                // USER_DEFINED pieces are matched whole before merging and never merged into.
                let type = types[Int(id)]
                guard type == .normal || type == .unused else { continue }
                let piece = arena[Int(id)]
                if type == .unused && characterCount(piece) >= 2 { return .wholeText }
                // Most pieces hold no space symbol (a byte scan tells), so no transition either.
                guard piece.contains(spaceSymbol[0]) else { continue }
                var previousIsSpace: Bool?
                forEachCharacter(piece) { start, length in
                    let isSpace = length == spaceSymbol.count && Self.bytesEqual(piece.baseAddress! + start, spaceSymbol)
                    if let previousIsSpace {
                        if isSpace && !previousIsSpace { characterThenSpace = true }
                        if !isSpace && previousIsSpace { spaceThenCharacter = true }
                    }
                    previousIsSpace = isSpace
                }
            }
            if !characterThenSpace { return .beforeSpaceRuns }
            if !spaceThenCharacter { return .afterSpaceRuns }
            return .userDefinedOnly
        }

        /// Calls `body(start, length)` for each character of `bytes`, split the way BPE splits
        /// text (`OneCharLen`, clipped at the end).
        @inline(__always)
        static func forEachCharacter(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
            var i = 0
            while i < bytes.count {
                let length = min(SentencePieceUTF8.oneCharLength(bytes[i]), bytes.count - i)
                body(i, length)
                i += length
            }
        }

        @inline(__always)
        static func bytesEqual(_ p: UnsafePointer<UInt8>, _ bytes: [UInt8]) -> Bool {
            for k in bytes.indices where p[k] != bytes[k] { return false }
            return true
        }

        static func characterCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            var count = 0
            forEachCharacter(bytes) { _, _ in count += 1 }
            return count
        }

        /// `PieceToByte`: the value of a `<0xNN>` piece (upper-case hex), or nil.
        static func byteValue(ofPiece bytes: UnsafeBufferPointer<UInt8>) -> UInt8? {
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

        static func printable(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            let text = String(decoding: bytes.prefix(40), as: UTF8.self)
            return "\"" + text.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
                + (bytes.count > 40 ? "…" : "") + "\""
        }
    }
}
