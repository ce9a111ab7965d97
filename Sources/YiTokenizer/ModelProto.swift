import YiCore

/// The parts of SentencePiece's `ModelProto` (src/sentencepiece_model.proto) that encoding and
/// decoding need, decoded by hand. Field numbers and proto2 defaults follow that file; absent
/// fields keep their proto2 default, as protobuf would give them.
struct ModelProto {
    /// `ModelProto.SentencePiece.Type`.
    enum PieceType: UInt8, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6

        var name: String {
            switch self {
            case .normal: return "NORMAL"
            case .unknown: return "UNKNOWN"
            case .control: return "CONTROL"
            case .userDefined: return "USER_DEFINED"
            case .unused: return "UNUSED"
            case .byte: return "BYTE"
            }
        }
    }

    struct Piece {
        /// Where the piece's bytes are in the serialized model.
        var range: Range<Int> = 0..<0
        var score: Float = 0
        var type: PieceType = .normal
    }

    /// `TrainerSpec.ModelType`.
    enum ModelType: Int32, Sendable {
        case unigram = 1, bpe = 2, word = 3, char = 4

        var name: String {
            switch self {
            case .unigram: return "UNIGRAM"
            case .bpe: return "BPE"
            case .word: return "WORD"
            case .char: return "CHAR"
            }
        }
    }

    struct TrainerSpec {
        var modelType: ModelType = .unigram
        var vocabSize: Int32 = 8000
        var byteFallback = false
        var treatWhitespaceAsSuffix = false
        var allowWhitespaceOnlyPieces = false
        var splitDigits = false
        var splitByUnicodeScript = true
        var splitByNumber = true
        var splitByWhitespace = true
        var maxSentencePieceLength: Int32 = 16
        var unkID: Int32 = 0
        var bosID: Int32 = 1
        var eosID: Int32 = 2
        var padID: Int32 = -1
        var unkPiece: [UInt8] = []
        var bosPiece: [UInt8] = []
        var eosPiece: [UInt8] = []
        var padPiece: [UInt8] = []
        /// nil when the field is absent (the decoder then uses " ⁇ "); present-but-empty is kept.
        var unkSurface: [UInt8]?
    }

    struct NormalizerSpec {
        var name: String = ""
        var precompiledCharsmap: [UInt8] = []
        var addDummyPrefix = true
        var removeExtraWhitespaces = true
        var escapeWhitespaces = true
    }

    var pieces: [Piece] = []
    /// False when the message has no trainer_spec at all (a truncated file, or not a model).
    var hasTrainerSpec = false
    var trainerSpec = TrainerSpec()
    var normalizerSpec = NormalizerSpec()
    var denormalizerSpec: NormalizerSpec?
}

extension ModelProto {
    /// Decodes a serialized `ModelProto`. Throws `ProtobufError` when the bytes are not a
    /// well-formed protobuf message.
    init(serialized buffer: UnsafeBufferPointer<UInt8>) throws {
        var reader = ProtobufReader(buffer)
        // Pieces are most of the bytes, and each takes at least 9 (a guess that avoids regrowing).
        pieces.reserveCapacity(buffer.count / 16)
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited):
                pieces.append(try Self.decodePiece(buffer, field.range))
            case (2, .lengthDelimited):
                try Self.decodeTrainerSpec(buffer, field.range, into: &trainerSpec)
                hasTrainerSpec = true
            case (3, .lengthDelimited):
                try Self.decodeNormalizerSpec(buffer, field.range, into: &normalizerSpec)
            case (5, .lengthDelimited):
                var spec = denormalizerSpec ?? NormalizerSpec()
                try Self.decodeNormalizerSpec(buffer, field.range, into: &spec)
                denormalizerSpec = spec
            default:
                continue  // self_test_data and unknown fields
            }
        }
    }

    private static func decodePiece(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> Piece {
        var piece = Piece()
        var reader = ProtobufReader(buffer, range: range)
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): piece.range = field.range
            case (2, .fixed32): piece.score = field.float
            case (3, .varint):
                // proto2 keeps an unknown enum value as an unknown field: the type stays as it was.
                if let type = PieceType(rawValue: UInt8(truncatingIfNeeded: field.integer)), field.integer <= 6 {
                    piece.type = type
                }
            default: continue
            }
        }
        return piece
    }

    private static func decodeTrainerSpec(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                                          into spec: inout TrainerSpec) throws {
        var reader = ProtobufReader(buffer, range: range)
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (3, .varint):
                if field.integer <= 4, let type = ModelType(rawValue: Int32(field.integer)) { spec.modelType = type }
            case (4, .varint): spec.vocabSize = field.int32
            case (20, .varint): spec.maxSentencePieceLength = field.int32
            case (21, .varint): spec.splitByUnicodeScript = field.bool
            case (22, .varint): spec.splitByWhitespace = field.bool
            case (23, .varint): spec.splitByNumber = field.bool
            case (24, .varint): spec.treatWhitespaceAsSuffix = field.bool
            case (25, .varint): spec.splitDigits = field.bool
            case (26, .varint): spec.allowWhitespaceOnlyPieces = field.bool
            case (35, .varint): spec.byteFallback = field.bool
            case (40, .varint): spec.unkID = field.int32
            case (41, .varint): spec.bosID = field.int32
            case (42, .varint): spec.eosID = field.int32
            case (43, .varint): spec.padID = field.int32
            case (44, .lengthDelimited): spec.unkSurface = Array(buffer[field.range])
            case (45, .lengthDelimited): spec.unkPiece = Array(buffer[field.range])
            case (46, .lengthDelimited): spec.bosPiece = Array(buffer[field.range])
            case (47, .lengthDelimited): spec.eosPiece = Array(buffer[field.range])
            case (48, .lengthDelimited): spec.padPiece = Array(buffer[field.range])
            default: continue
            }
        }
    }

    private static func decodeNormalizerSpec(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                                             into spec: inout NormalizerSpec) throws {
        var reader = ProtobufReader(buffer, range: range)
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): spec.name = String(decoding: buffer[field.range], as: UTF8.self)
            case (2, .lengthDelimited): spec.precompiledCharsmap = Array(buffer[field.range])
            case (3, .varint): spec.addDummyPrefix = field.bool
            case (4, .varint): spec.removeExtraWhitespaces = field.bool
            case (5, .varint): spec.escapeWhitespaces = field.bool
            default: continue
            }
        }
    }
}
