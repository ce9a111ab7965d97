import YiCore

/// Megatron-LM's `MMIDIDX` v1 index layout, as megatron-core's `IndexedDataset` reads it
/// (`megatron/core/datasets/indexed_dataset.py`, `_IndexWriter` / `_IndexReader`). Little-endian:
///
///     offset 0   magic "MMIDIDX\0\0"          9 bytes
///     offset 9   version = 1                   u64
///     offset 17  dtype code                    u8   (see `MegatronDType`)
///     offset 18  sequence count N              u64
///     offset 26  document count D              u64  (entries in document_indices, N + 1 for us)
///     offset 34  lengths[N]                    i32  tokens per sequence
///                pointers[N]                   i64  byte offset of each sequence in the .bin
///                document_indices[D]           i64  sequence index where each document starts; last = N
///
/// megatron-core asserts `document_indices[-1] == N`. Multimodal datasets append N i8 "modes";
/// we never write them and `verify` reports them as an extension it does not check.
public enum MegatronFormat {
    public static let magic: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]
    public static let version: UInt64 = 1
    public static let headerSize = 34
    public static let versionOffset: Int64 = 9
    public static let dtypeOffset: Int64 = 17
    public static let sequenceCountOffset: Int64 = 18
    public static let documentCountOffset: Int64 = 26

    /// Byte size of a well-formed index for `sequences` sequences and `documents` document indices.
    public static func indexSize(sequences: Int, documents: Int) -> Int64 {
        Int64(headerSize) + 12 * Int64(sequences) + 8 * Int64(documents)
    }

    public static let lengthsOffset = Int64(headerSize)
    public static func pointersOffset(sequences: Int) -> Int64 { Int64(headerSize) + 4 * Int64(sequences) }
    public static func documentIndicesOffset(sequences: Int) -> Int64 { Int64(headerSize) + 12 * Int64(sequences) }
}

/// The element type of a `.bin` file; raw values are Megatron's `DType` enum codes.
public enum MegatronDType: UInt8, Sendable, CaseIterable {
    case uint8 = 1, int8 = 2, int16 = 3, int32 = 4, int64 = 5, float64 = 6, float32 = 7, uint16 = 8

    public var byteWidth: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16, .uint16: return 2
        case .int32, .float32: return 4
        case .int64, .float64: return 8
        }
    }

    public var name: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float64: return "float64"
        case .float32: return "float32"
        case .uint16: return "uint16"
        }
    }

    /// Integer types can hold token ids; float codes exist in Megatron but not for token data.
    public var isInteger: Bool { self != .float32 && self != .float64 }

    /// The largest token id the type can store (ids are never negative).
    public var maximumTokenID: UInt64 {
        switch self {
        case .uint8: return UInt64(UInt8.max)
        case .int8: return UInt64(Int8.max)
        case .int16: return UInt64(Int16.max)
        case .uint16: return UInt64(UInt16.max)
        case .int32: return UInt64(Int32.max)
        case .int64: return UInt64(Int64.max)
        case .float32, .float64: return 0
        }
    }

    /// Megatron's rule (`DType.optimal_dtype`): uint16 below 65,500 ids, int32 otherwise.
    public static func forVocabulary(size: Int) -> MegatronDType {
        size < 65_500 ? .uint16 : .int32
    }

    public init?(name: String) {
        guard let match = MegatronDType.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

extension YiError.Code {
    /// A token id does not fit the shard's element type or the vocabulary.
    public static let tokenOutOfRange = YiError.Code(rawValue: "token-out-of-range")
}
