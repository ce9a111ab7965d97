import Foundation
import YiCore

/// Writes one length bucket's packed sequences as Megatron shards `DIR/<prefix>-NNNNN.{bin,idx}`
/// plus the boundaries sidecar `.docs`, rotating to a new shard before `shardTokens` would be
/// exceeded (every shard holds at least one sequence).
///
/// Streaming: token bytes go straight to the `.bin`; per sequence only 8 bytes (the sidecar's
/// span table) are held until the shard closes. Every file is written to a temporary name and
/// renamed when complete, `.bin` and `.docs` first and `.idx` last, so a shard whose `.idx`
/// exists is complete; a writer abandoned (or a process killed) mid-shard leaves nothing under
/// the final names. Checksums are computed while writing.
public final class BucketShardWriter {
    public let directory: String
    public let sequenceLength: Int
    public let vocabularySize: Int
    public let dtype: MegatronDType
    public let sequencesPerShard: Int
    public let shardNamePrefix: String
    /// Every shard gets a loss-mask sidecar `.mask` (runs with a chat source).
    public let writesMask: Bool
    /// Called after each shard is complete on disk (e.g. to record resume progress).
    public var onShardFinished: ((ShardInfo) throws -> Void)?

    public private(set) var finishedShards: [ShardInfo] = []
    private var nextShardIndex: Int
    private var open: OpenShard?
    private var tokenBytes: [UInt8]
    private var finished = false

    /// - Parameters:
    ///   - shardTokens: upper bound on tokens per shard (rounded down to whole sequences, at least one).
    ///   - vocabularySize: every id must be below it; it also picks the dtype (uint16 below 65,500).
    ///   - firstShardIndex: number of the first shard (a resumed run or a rank continues numbering).
    ///   - shardNamePrefix: `shard` gives `shard-00000`; ranks may use their own prefix.
    public init(directory: String, sequenceLength: Int, shardTokens: Int, vocabularySize: Int,
                dtype: MegatronDType? = nil, firstShardIndex: Int = 0, shardNamePrefix: String = "shard",
                writesMask: Bool = false) throws {
        precondition(sequenceLength > 0 && sequenceLength <= Int(Int32.max), "sequence length must fit Megatron's int32 lengths")
        precondition(vocabularySize > 0, "vocabulary size must be positive")
        let chosen = dtype ?? MegatronDType.forVocabulary(size: vocabularySize)
        precondition(chosen.isInteger && UInt64(vocabularySize - 1) <= chosen.maximumTokenID,
                     "dtype \(chosen.name) cannot hold ids below \(vocabularySize)")
        self.directory = directory
        self.sequenceLength = sequenceLength
        self.vocabularySize = vocabularySize
        self.dtype = chosen
        self.sequencesPerShard = max(1, shardTokens / sequenceLength)
        self.shardNamePrefix = shardNamePrefix
        self.writesMask = writesMask
        self.nextShardIndex = firstShardIndex
        tokenBytes = [UInt8](repeating: 0, count: sequenceLength * chosen.byteWidth)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw YiError(.io, "cannot create output folder", context: .init(path: directory), cause: "\(error)")
        }
    }

    deinit { open?.abort() }

    /// Appends one sequence. Precondition: exactly `sequenceLength` tokens, spans contiguous from
    /// offset 0 and within the sequence. Throws `.tokenOutOfRange` for an id ≥ the vocabulary.
    /// - Parameter mask: with `writesMask`, 0/1 per token (nil: every span token trained, padding
    ///   not); ignored otherwise.
    public func append(_ sequence: PackedSequence, mask: [UInt8]? = nil) throws {
        precondition(!finished, "BucketShardWriter used after finish()")
        precondition(sequence.tokens.count == sequenceLength,
                     "packed sequence has \(sequence.tokens.count) tokens, bucket length is \(sequenceLength)")
        var expectedOffset = 0
        for span in sequence.spans {
            precondition(span.offset == expectedOffset && span.length > 0, "spans must be contiguous from offset 0")
            expectedOffset += span.length
        }
        precondition(expectedOffset <= sequenceLength, "spans exceed the sequence")

        try encodeTokens(sequence.tokens)
        if open == nil { open = try OpenShard(writer: self, name: ShardFiles.name(index: nextShardIndex, prefix: shardNamePrefix)) }
        let shard = open!
        try tokenBytes.withUnsafeBytes { try shard.bin.write($0) }
        try shard.sidecar.append(spans: sequence.spans)
        if let maskWriter = shard.mask {
            if let mask {
                try maskWriter.append(mask)
            } else {
                var all = [UInt8](repeating: 0, count: sequenceLength)
                for i in 0..<expectedOffset { all[i] = 1 }
                try maskWriter.append(all)
            }
        }
        shard.record(sequence.spans, padTokens: sequenceLength - expectedOffset)
        if shard.sequences == sequencesPerShard { try closeShard() }
    }

    /// Closes the last shard and returns every shard written by this writer.
    @discardableResult
    public func finish() throws -> [ShardInfo] {
        precondition(!finished, "BucketShardWriter finished twice")
        if open != nil { try closeShard() }
        finished = true
        return finishedShards
    }

    /// Drops the shard in progress (its temporary files are removed); finished shards stay.
    public func abandon() {
        open?.abort()
        open = nil
        finished = true
    }

    private func encodeTokens(_ tokens: [TokenID]) throws {
        let limit = TokenID(vocabularySize)
        // Two loops the compiler vectorizes: the largest id, then the copy (narrowing to 16 bits,
        // or a plain copy of 32-bit ids on little-endian hosts).
        let largest = tokens.withUnsafeBufferPointer { ids in ids.reduce(0) { max($0, $1) } }
        if largest >= limit, let bad = tokens.firstIndex(where: { $0 >= limit }) {
            throw YiError(.tokenOutOfRange,
                          "token id \(tokens[bad]) at position \(bad) of a sequence is not below the vocabulary size \(vocabularySize)",
                          context: .init(path: directory))
        }
        tokens.withUnsafeBufferPointer { ids in
            tokenBytes.withUnsafeMutableBytes { out in
                if dtype.byteWidth == 2 {
                    let narrow = out.bindMemory(to: UInt16.self)
                    for i in 0..<ids.count { narrow[i] = UInt16(truncatingIfNeeded: ids[i]).littleEndian }
                } else if TokenID(1).littleEndian == 1 {
                    out.copyMemory(from: UnsafeRawBufferPointer(ids))
                } else {
                    let wide = out.bindMemory(to: UInt32.self)
                    for i in 0..<ids.count { wide[i] = UInt32(ids[i]).littleEndian }
                }
            }
        }
    }

    private func closeShard() throws {
        guard let shard = open else { return }
        open = nil
        let info = try shard.commit()
        finishedShards.append(info)
        nextShardIndex += 1
        try onShardFinished?(info)
    }

    /// The files and running totals of the shard being written.
    private final class OpenShard {
        let name: String
        let directory: String
        let dtype: MegatronDType
        let sequenceLength: Int
        let bin: HashingFileWriter
        let sidecar: BoundarySidecarWriter
        let mask: MaskSidecarWriter?
        private(set) var sequences = 0
        private var padTokens = 0
        private var spans = 0
        private var documentEnds = 0
        private var splitDocuments = 0

        init(writer: BucketShardWriter, name: String) throws {
            self.name = name
            directory = writer.directory
            dtype = writer.dtype
            sequenceLength = writer.sequenceLength
            bin = try HashingFileWriter(path: ShardFiles.path(directory: directory, name: name, extension: ShardFiles.binExtension))
            sidecar = try BoundarySidecarWriter(
                path: ShardFiles.path(directory: directory, name: name, extension: ShardFiles.docsExtension),
                sequenceLength: sequenceLength)
            mask = writer.writesMask
                ? try MaskSidecarWriter(path: ShardFiles.path(directory: directory, name: name, extension: ShardFiles.maskExtension),
                                        sequenceLength: sequenceLength)
                : nil
        }

        func record(_ sequenceSpans: [DocumentSpan], padTokens pad: Int) {
            sequences += 1
            padTokens += pad
            spans += sequenceSpans.count
            for span in sequenceSpans {
                if span.isDocumentEnd { documentEnds += 1 } else if span.part == 0 { splitDocuments += 1 }
            }
        }

        func commit() throws -> ShardInfo {
            let binDigest = try bin.commit()
            let docsDigest = try sidecar.commit()
            let maskDigest = try mask?.commit()
            let idx = try HashingFileWriter(path: ShardFiles.path(directory: directory, name: name, extension: ShardFiles.idxExtension))
            try MegatronIndexWriter.write(to: idx, dtype: dtype, lengths: repeatElement(sequenceLength, count: sequences))
            let idxDigest = try idx.commit()
            var info = ShardInfo(name: name, sequences: sequences, tokens: sequences * sequenceLength, padTokens: padTokens,
                                 spans: spans, documentEnds: documentEnds, splitDocuments: splitDocuments,
                                 bin: binDigest, idx: idxDigest, docs: docsDigest)
            info.mask = maskDigest
            return info
        }

        func abort() {
            bin.abort()
            sidecar.abort()
            mask?.abort()
        }
    }
}
