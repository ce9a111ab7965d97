import Foundation
import YiCore

/// Random access to one shard's sequences: tokens from the `.bin` via the `.idx` pointers, and
/// the document spans from the `.docs` sidecar when there is one (foreign Megatron shards have none).
public final class ShardReader {
    public let prefix: String
    public let dtype: MegatronDType
    public let sequenceCount: Int
    private let index: MegatronIndexFile
    private let bin: ReadOnlyFile
    private let sidecar: BoundarySidecarFile?

    public init(prefix: String) throws {
        self.prefix = prefix
        index = try MegatronIndexFile(path: prefix + "." + ShardFiles.idxExtension)
        bin = try ReadOnlyFile(path: prefix + "." + ShardFiles.binExtension)
        dtype = index.header.dtype
        sequenceCount = index.header.sequenceCount
        let docsPath = prefix + "." + ShardFiles.docsExtension
        if FileManager.default.fileExists(atPath: docsPath) {
            let sidecar = try BoundarySidecarFile(path: docsPath)
            if sidecar.sequenceCount != sequenceCount {
                throw YiError(.corruptInput, "sidecar holds \(sidecar.sequenceCount) sequences but the index \(sequenceCount)",
                              context: .init(path: docsPath))
            }
            self.sidecar = sidecar
        } else {
            sidecar = nil
        }
        guard dtype.isInteger else {
            throw YiError(.corruptInput, "dtype \(dtype.name) does not hold token ids", context: .init(path: index.file.path))
        }
    }

    public var hasSidecar: Bool { sidecar != nil }

    /// The tokens of sequence `n` (0-based within this shard).
    public func tokens(ofSequence n: Int) throws -> [TokenID] {
        precondition(n >= 0 && n < sequenceCount, "sequence \(n) out of range 0..<\(sequenceCount)")
        let length = try index.length(of: n)
        let pointer = try index.pointer(of: n)
        guard length >= 0, pointer >= 0 else {
            throw YiError(.corruptInput, "sequence \(n) has length \(length) and pointer \(pointer)",
                          context: .init(path: index.file.path, byteOffset: index.lengthOffset(n)))
        }
        let raw = try bin.bytes(at: pointer, count: length * dtype.byteWidth, what: "sequence \(n)")
        return raw.withUnsafeBytes { TokenDecoding.decode($0, dtype: dtype) }
    }

    /// The document spans of sequence `n`, or nil without a sidecar.
    public func spans(ofSequence n: Int) throws -> [DocumentSpan]? {
        guard let sidecar else { return nil }
        let records = try sidecar.records(ofSequence: n)
        // `span` holds Ints: a damaged record must be an error here, not a trap.
        let limit = UInt64(Int.max)
        if let bad = records.first(where: { $0.documentOrdinal > limit }) {
            throw YiError(.corruptInput, "sequence \(n) has a span of document \(bad.documentOrdinal), beyond any run's documents",
                          context: .init(path: sidecar.file.path))
        }
        return records.map(\.span)
    }
}

/// A bucket's sequences numbered across its shards in name order (what `inspect --seq N` reads).
public final class BucketReader {
    public let bucket: BucketLayout
    private let readers: [ShardReader]
    private let firstSequence: [Int]

    public init(bucket: BucketLayout) throws {
        self.bucket = bucket
        readers = try bucket.shards.map { try ShardReader(prefix: $0.prefix) }
        var starts: [Int] = []
        var total = 0
        for reader in readers {
            starts.append(total)
            total += reader.sequenceCount
        }
        firstSequence = starts
        sequenceCount = total
    }

    public let sequenceCount: Int

    public struct Sequence: Sendable {
        public var tokens: [TokenID]
        /// nil for shards without a sidecar.
        public var spans: [DocumentSpan]?
        public var shardName: String
        public var indexInShard: Int
    }

    /// Sequence `n` of the bucket (0-based over all its shards).
    public func sequence(_ n: Int) throws -> Sequence {
        guard n >= 0 && n < sequenceCount else {
            throw YiError(.usage, "sequence \(n) does not exist: the bucket has \(sequenceCount) sequences (0...\(max(0, sequenceCount - 1)))",
                          context: .init(path: bucket.directory))
        }
        var shard = 0
        while shard + 1 < readers.count && firstSequence[shard + 1] <= n { shard += 1 }
        let local = n - firstSequence[shard]
        let reader = readers[shard]
        return Sequence(tokens: try reader.tokens(ofSequence: local), spans: try reader.spans(ofSequence: local),
                        shardName: bucket.shards[shard].name, indexInShard: local)
    }
}

/// Decoding `.bin` elements into token ids (negative or oversized values of foreign types cannot
/// be ids and come back as `TokenID.max`, which no vocabulary holds).
enum TokenDecoding {
    static func decode(_ raw: UnsafeRawBufferPointer, dtype: MegatronDType) -> [TokenID] {
        let count = raw.count / dtype.byteWidth
        return [TokenID](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                let value = rawElement(raw, i, dtype)
                out[i] = value < 0 || value > Int64(TokenID.max) ? TokenID.max : TokenID(value)
            }
            initialized = count
        }
    }
}
