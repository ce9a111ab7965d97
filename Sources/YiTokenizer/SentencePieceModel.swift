import YiChecksum
import YiCore

/// A loaded SentencePiece BPE model (`tokenizer.model`): the vocabulary, the normalizer and the
/// merge tables, immutable after loading and shared by any number of threads. Encode and decode
/// with a `SentencePieceEncoder` per thread (or `SentencePieceTokenizer`).
///
/// Loading follows SentencePiece 0.2.x (`SentencePieceProcessor::Load`, `ModelInterface::
/// InitializePieces`): the same checks reject the same broken models, and the special ids are
/// found the same way (by the trainer spec's piece names, kept only when they are CONTROL
/// pieces, or the UNKNOWN piece for `unkID`).
public final class SentencePieceModel: Sendable {
    /// Where the model was read from (nil for `init(bytes:)`).
    public let path: String?
    /// SHA-256 of the model file's bytes, lowercase hex (for manifests). Computed once at load
    /// (about a millisecond with swift-crypto; a `pack` run asked for it three times).
    public let sha256: String
    /// The model file as read.
    public let fileBytes: [UInt8]
    /// Number of pieces; every id the encoder produces is below it.
    public let vocabularySize: Int
    public let unkID: TokenID?
    public let bosID: TokenID?
    public let eosID: TokenID?
    public let padID: TokenID?
    public let flags: Flags

    /// The model's settings that change how text is tokenized, for manifests and `--verbose`.
    public struct Flags: Sendable, Equatable {
        public var modelType: String
        public var normalizerName: String
        public var hasPrecompiledCharsmap: Bool
        public var addDummyPrefix: Bool
        public var removeExtraWhitespaces: Bool
        public var escapeWhitespaces: Bool
        public var treatWhitespaceAsSuffix: Bool
        public var byteFallback: Bool
        public var splitDigits: Bool
        public var hasDenormalizer: Bool
        public var normalPieces: Int
        public var userDefinedPieces: Int
        public var controlPieces: Int
        public var bytePieces: Int
        public var unusedPieces: Int
        /// True when the encoder splits text into independent segments (and caches them); false
        /// when the vocabulary forbids it and whole texts are merged at once (always exact).
        public var segmentedEncoding: Bool
    }

    /// The kind of a piece (`ModelProto.SentencePiece.Type`).
    public enum PieceKind: String, Sendable {
        case normal = "NORMAL", unknown = "UNKNOWN", control = "CONTROL", userDefined = "USER_DEFINED"
        case unused = "UNUSED", byte = "BYTE"
    }

    // MARK: Internal tables (raw pointers into `storage`, read by the encoder's hot loops)

    /// Owns the memory of every table below.
    let storage: TableStorage
    /// Piece bytes by symbol id: the real pieces, then the virtual characters (see `symbols`).
    let pieceBytes: ByteArena
    /// Raw `ModelProto.PieceType` per real id.
    let pieceTypes: FrozenArray<UInt8>
    let scores: FrozenArray<Float>
    /// The ids the encoder starts from: every piece (SentencePiece's `pieces_` map, all types)
    /// plus "virtual" ids >= vocabularySize for characters that occur inside mergeable pieces
    /// without being pieces themselves, so that merging can work on ids alone.
    let symbols: PieceTable
    /// Code point (BMP) -> symbol id or -1, a shortcut for `symbols` on single characters.
    let bmpSymbols: FrozenArray<Int32>
    /// Merges and adjacency of two single characters (see `PairMergeTable`).
    let characterPairs: PairMergeTable
    /// Merges with a longer piece on either side.
    let pieceMerges: PairMergeTable
    /// Per symbol id: the id to emit (NORMAL, USER_DEFINED), `emitUnknown` (UNKNOWN, CONTROL,
    /// BYTE, virtual) or `emitUnused` (UNUSED: split back, see the encoder).
    let emitClass: FrozenArray<Int32>
    /// The symbols whose `emitClass` is the symbol itself (NORMAL, USER_DEFINED), as bits.
    let emitsItself: SymbolBits
    /// `<0xNN>` piece id per byte value, -1 when absent.
    let byteIDs: FrozenArray<Int32>
    /// Per real id: the byte value of a BYTE piece, or -1.
    let byteValues: FrozenArray<Int16>
    let userDefined: UserDefinedMatcher
    let normalizer: Normalizer
    let denormalizer: Normalizer?
    /// The id emitted for unknown symbols without byte fallback (SentencePiece's `unk_id_`).
    let unknownID: Int32
    let byteFallback: Bool
    /// Bytes of the space symbol in normalized text (U+2581, or " " without escaping).
    let spaceSymbol: [UInt8]
    let segmentation: Segmentation
    /// `trainer_spec.unk_surface`, or " ⁇ " when absent.
    let unknownSurface: [UInt8]

    static let emitUnknown: Int32 = -1
    static let emitUnused: Int32 = -2

    /// How text may be cut into segments that BPE can merge independently.
    enum Segmentation: Sendable {
        /// Cut before each run of space symbols: no mergeable piece has a space symbol after
        /// another character, so no merge can cross such a cut.
        case beforeSpaceRuns
        /// Cut after each run (treat_whitespace_as_suffix vocabularies): no mergeable piece has
        /// a character after a space symbol.
        case afterSpaceRuns
        /// Only user-defined pieces (never merged) separate segments.
        case userDefinedOnly
        /// Merge whole texts at once: the vocabulary has multi-character UNUSED pieces, whose
        /// splitting back depends on every merge candidate of the text (`rev_merge`).
        case wholeText
    }

    public convenience init(contentsOf path: String) throws {
        let bytes = try readWholeFile(path)
        try self.init(bytes: bytes, path: path)
    }

    public convenience init(bytes: [UInt8]) throws {
        try self.init(bytes: bytes, path: nil)
    }

    init(bytes: [UInt8], path: String?) throws {
        let context = YiError.Context(path: path)
        func fail(_ message: String, offset: Int? = nil) -> YiError {
            var context = context
            context.byteOffset = offset.map { Int64($0) }
            return YiError(.tokenizer, message, context: context)
        }
        guard !bytes.isEmpty else { throw fail("the tokenizer model file is empty") }
        let storage = TableStorage()
        let loaded: (proto: ModelProto, tables: Tables)
        do {
            loaded = try bytes.withUnsafeBufferPointer { buffer in
                let proto = try ModelProto(serialized: buffer)
                return (proto, try Tables(proto, serialized: buffer, storage: storage))
            }
        } catch let error as ProtobufError {
            throw fail("not a SentencePiece model: corrupt or truncated protobuf data (\(error.message))", offset: error.offset)
        } catch let error as LoadProblem {
            throw fail(error.message)
        }
        let (proto, tables) = loaded
        self.path = path
        self.storage = storage
        fileBytes = bytes
        sha256 = SHA256.hex(of: bytes)
        vocabularySize = proto.pieces.count
        pieceBytes = tables.pieceBytes
        pieceTypes = FrozenArray(base: tables.pieceTypes)
        scores = FrozenArray(base: tables.scores)
        symbols = tables.symbols
        bmpSymbols = FrozenArray(base: tables.bmpSymbols)
        characterPairs = tables.characterPairs
        pieceMerges = tables.pieceMerges
        emitClass = FrozenArray(base: tables.emitClass)
        emitsItself = tables.emitsItself
        byteIDs = FrozenArray(base: tables.byteIDs)
        byteValues = FrozenArray(base: tables.byteValues)
        userDefined = tables.userDefined
        normalizer = tables.normalizer
        denormalizer = tables.denormalizer
        unknownID = tables.unknownID
        byteFallback = proto.trainerSpec.byteFallback
        spaceSymbol = tables.normalizer.spaceSymbol
        segmentation = tables.segmentation
        unknownSurface = proto.trainerSpec.unkSurface ?? [0x20, 0xE2, 0x81, 0x87, 0x20]
        unkID = tables.specialIDs.unk
        bosID = tables.specialIDs.bos
        eosID = tables.specialIDs.eos
        padID = tables.specialIDs.pad
        flags = tables.flags
    }

    // MARK: Public lookups

    /// The piece text of an id (`IdToPiece`), nil when out of range.
    public func piece(for id: TokenID) -> String? {
        guard Int(id) < vocabularySize else { return nil }
        return String(decoding: pieceBytes[Int(id)], as: UTF8.self)
    }

    /// The id of a piece (exact match of any type), nil when the vocabulary has no such piece.
    public func id(for piece: String) -> TokenID? {
        let id = symbols.lookup(Array(piece.utf8))
        return id >= 0 && Int(id) < vocabularySize ? TokenID(id) : nil
    }

    public func score(for id: TokenID) -> Float? {
        Int(id) < vocabularySize ? scores[Int(id)] : nil
    }

    public func kind(of id: TokenID) -> PieceKind? {
        guard Int(id) < vocabularySize, let type = ModelProto.PieceType(rawValue: pieceTypes[Int(id)]) else { return nil }
        switch type {
        case .normal: return .normal
        case .unknown: return .unknown
        case .control: return .control
        case .userDefined: return .userDefined
        case .unused: return .unused
        case .byte: return .byte
        }
    }

    /// What a manifest records about the tokenizer: path, sha256, vocabulary size, special ids
    /// and the flags that decide how text is tokenized.
    public var manifestJSON: JSONValue {
        func id(_ value: TokenID?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
        return .object([
            ("path", path.map { .string($0) } ?? .null),
            ("sha256", .string(sha256)),
            ("model_type", .string(flags.modelType)),
            ("vocab_size", .int(Int64(vocabularySize))),
            ("unk_id", id(unkID)), ("bos_id", id(bosID)), ("eos_id", id(eosID)), ("pad_id", id(padID)),
            ("normalizer", .string(flags.normalizerName)),
            ("precompiled_charsmap", .bool(flags.hasPrecompiledCharsmap)),
            ("add_dummy_prefix", .bool(flags.addDummyPrefix)),
            ("remove_extra_whitespaces", .bool(flags.removeExtraWhitespaces)),
            ("escape_whitespaces", .bool(flags.escapeWhitespaces)),
            ("treat_whitespace_as_suffix", .bool(flags.treatWhitespaceAsSuffix)),
            ("byte_fallback", .bool(flags.byteFallback)),
            ("split_digits", .bool(flags.splitDigits)),
            ("pieces", .object([
                ("normal", .int(Int64(flags.normalPieces))),
                ("user_defined", .int(Int64(flags.userDefinedPieces))),
                ("control", .int(Int64(flags.controlPieces))),
                ("byte", .int(Int64(flags.bytePieces))),
                ("unused", .int(Int64(flags.unusedPieces))),
            ])),
        ])
    }


    @inline(__always)
    func type(of id: Int32) -> ModelProto.PieceType? {
        Int(id) < vocabularySize ? ModelProto.PieceType(rawValue: pieceTypes[Int(id)]) : nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The largest model file read: real SentencePiece models are a few MB (Yi's 1 MB, a 256K-piece
/// vocabulary about 4 MB); a bigger file is not a tokenizer, and reading it would only cost memory.
public let maximumModelFileBytes = 256 << 20

/// Reads a whole file with read(2) (no Foundation: model loading stays fast and lean).
func readWholeFile(_ path: String, maximumBytes: Int = maximumModelFileBytes) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        throw YiError(.tokenizer, "cannot open the tokenizer model", context: .init(path: path), cause: errnoText())
    }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else {
        throw YiError(.tokenizer, "cannot read the tokenizer model", context: .init(path: path), cause: errnoText())
    }
    if (status.st_mode & S_IFMT) == S_IFDIR {
        throw YiError(.tokenizer, "the tokenizer path is a directory, not a .model file", context: .init(path: path))
    }
    func tooLarge(_ size: Int) -> YiError {
        YiError(.tokenizer, "the tokenizer model file is \(size) bytes, more than the \(maximumBytes) a SentencePiece model can sensibly be: not a tokenizer model",
                context: .init(path: path))
    }
    if Int(status.st_size) > maximumBytes { throw tooLarge(Int(status.st_size)) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(status.st_size))
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw YiError(.tokenizer, "cannot read the tokenizer model", context: .init(path: path), cause: errnoText())
        }
        if n == 0 { break }
        // A pipe or device has no size up front (`/dev/zero` never ends).
        if bytes.count + n > maximumBytes { throw tooLarge(bytes.count + n) }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}
