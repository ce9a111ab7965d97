import Foundation
import YiCore
import YiTestSupport
@testable import YiShards

/// A document for the tests: its tokens end with EOS; `source` indexes the source table;
/// `ordinal` is its position in the input order (global, whatever bucket it goes to).
struct TestDocument {
    var ordinal: Int
    var tokens: [TokenID]
    var source: Int
}

/// Builds packed sequences the simple way (next-fit, documents longer than the space left are
/// cut at the sequence end and continued), enough to exercise every span kind the sidecar holds.
/// Independent of YiPacking on purpose: these tests are about storage.
enum TestPacker {
    static func pack(_ documents: [TestDocument], length: Int, padID: TokenID = 0) -> [PackedSequence] {
        var sequences: [PackedSequence] = []
        var tokens: [TokenID] = []
        var spans: [DocumentSpan] = []
        func close() {
            guard !spans.isEmpty else { return }
            tokens += Array(repeating: padID, count: length - tokens.count)
            sequences.append(PackedSequence(tokens: tokens, spans: spans))
            tokens = []
            spans = []
        }
        for document in documents {
            var rest = document.tokens[...]
            var part = 0
            // Start a fresh sequence when a whole document would fit there but not here.
            if rest.count <= length && rest.count > length - tokens.count { close() }
            while !rest.isEmpty {
                if tokens.count == length { close() }
                let take = min(rest.count, length - tokens.count)
                spans.append(DocumentSpan(offset: tokens.count, length: take, documentOrdinal: document.ordinal, part: part,
                                          isDocumentEnd: take == rest.count, sourceIndex: document.source))
                tokens += rest.prefix(take)
                rest = rest.dropFirst(take)
                part += 1
            }
        }
        close()
        return sequences
    }

    /// Deterministic documents: lengths and ids from a small LCG, each ending with `eos`.
    static func documents(count: Int, seed: UInt64, maxLength: Int, vocabulary: Int, eos: TokenID = 2, sources: Int = 3) -> [TestDocument] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        return (0..<count).map { ordinal in
            let length = 1 + Int(next() % UInt64(maxLength))
            var tokens = (0..<length - 1).map { _ in TokenID(3 + next() % UInt64(vocabulary - 3)) }
            tokens.append(eos)
            return TestDocument(ordinal: ordinal, tokens: tokens, source: Int(next() % UInt64(sources)))
        }
    }
}

/// Writes a whole pack-output folder (buckets + manifest) from documents, as the pipeline would.
struct TestDataset {
    static let vocabulary = 64_000
    static let eos: TokenID = 2
    static let sources = ["books", "web", "wiki"]

    let directory: String
    let manifest: Manifest
    let sequences: [Int: [PackedSequence]]

    /// Every document goes to the smallest bucket it fits (the largest when none), then each
    /// bucket is packed with `TestPacker` and written with `BucketShardWriter`.
    @discardableResult
    init(directory: String, documents: [TestDocument], lengths: [Int], shardTokens: Int,
         vocabulary: Int = TestDataset.vocabulary, padID: TokenID = 0, sourceNames: [String] = TestDataset.sources,
         extra: [(String, JSONValue)] = []) throws {
        self.directory = directory
        var perBucket: [Int: [TestDocument]] = [:]
        for document in documents {
            let bucket = lengths.first { document.tokens.count <= $0 } ?? lengths.last!
            perBucket[bucket, default: []].append(document)
        }
        var buckets: [BucketManifest] = []
        var written: [Int: [PackedSequence]] = [:]
        for length in lengths {
            let packed = TestPacker.pack(perBucket[length] ?? [], length: length, padID: padID)
            let folder = joinPath(directory, BucketManifest.directoryName(sequenceLength: length))
            let writer = try BucketShardWriter(directory: folder, sequenceLength: length, shardTokens: shardTokens, vocabularySize: vocabulary)
            for sequence in packed { try writer.append(sequence) }
            buckets.append(BucketManifest(sequenceLength: length, dtype: writer.dtype, shards: try writer.finish()))
            written[length] = packed
        }
        var counters = Counters()
        counters.add("documents.in", documents.count + 3)
        counters.add("rejected.malformed-json", 2)
        counters.add("dropped.too-short", 1)
        counters.add("tokens.out", documents.reduce(0) { $0 + $1.tokens.count })
        let manifest = Manifest(
            tool: ToolInfo(version: "0.0.0-test"), createdBy: "yi-shards-tests",
            options: .object([("len", .array(lengths.map { .int(Int64($0)) })), ("shard_tokens", .int(Int64(shardTokens)))]),
            seed: 7,
            tokenizer: TokenizerInfo(path: "tokenizer.model", sha256: String(repeating: "0", count: 64), vocabularySize: vocabulary,
                                     bosID: 1, eosID: Int(TestDataset.eos), flags: .object([("add_dummy_prefix", .bool(false))])),
            padID: Int(padID),
            inputs: [InputFile(path: "corpus/a.jsonl", bytes: 4000), InputFile(path: "corpus/b.jsonl", bytes: 1000)],
            sources: sourceNames, buckets: buckets, counters: counters, extra: extra)
        try manifest.write(toDirectory: directory)
        self.manifest = manifest
        self.sequences = written
    }
}

enum Bytes {
    static func read(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
    }

    static func flip(_ path: String, at offset: Int, xor mask: UInt8 = 0xFF) {
        var bytes = read(path)
        bytes[offset] ^= mask
        write(path, bytes)
    }

    static func truncate(_ path: String, by count: Int) {
        let bytes = read(path)
        write(path, Array(bytes.dropLast(count)))
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
