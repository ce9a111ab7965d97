import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiShards

@Suite struct VerifyTests {
    /// A two-bucket dataset with split documents, padding and several shards per bucket.
    @discardableResult
    static func makeDataset(_ dir: TemporaryDirectory) throws -> TestDataset {
        let documents = TestPacker.documents(count: 40, seed: 11, maxLength: 45, vocabulary: TestDataset.vocabulary)
        return try TestDataset(directory: dir.path, documents: documents, lengths: [16, 32], shardTokens: 100)
    }

    func verify(_ path: String, _ options: VerifyOptions = VerifyOptions()) throws -> VerifyReport {
        try DatasetVerifier.verify(path: path, options: options)
    }

    @Test func soundOutputPassesAtEveryLevel() throws {
        let dir = TemporaryDirectory()
        let dataset = try Self.makeDataset(dir)
        #expect(dataset.manifest.buckets.allSatisfy { $0.shards.count > 1 })
        #expect(dataset.manifest.buckets.contains { $0.splitDocuments > 0 })
        let whole = try verify(dir.path)
        #expect(whole.problems == [])
        #expect(whole.notes == [])
        #expect(whole.shardsChecked == dataset.manifest.buckets.reduce(0) { $0 + $1.shards.count })
        #expect(whole.tokensChecked == dataset.manifest.buckets.reduce(0) { $0 + $1.tokens })
        #expect(try verify(dir.file("len-32")).problems == [])
        #expect(try verify(dir.file("len-32/shard-00001")).problems == [])
        #expect(try verify(dir.file("len-16/shard-00000.idx")).problems == [])
        #expect(whole.failure == nil)
    }

    @Test func flippedIndexByteIsFound() throws {
        let dir = TemporaryDirectory()
        let dataset = try Self.makeDataset(dir)
        let idx = dir.file("len-16/shard-00000.idx")
        Bytes.flip(idx, at: MegatronFormat.headerSize, xor: 0x01)  // first length: 16 → 17
        let report = try verify(dir.path)
        #expect(report.problems.contains { $0.file == idx && $0.byteOffset == 34 && $0.message.contains("17 tokens") })
        #expect(report.problems.contains { $0.file == idx && $0.message.contains("sha256") })
        #expect(report.failure?.code == .verifyFailed)

        Bytes.flip(idx, at: MegatronFormat.headerSize, xor: 0x01)
        Bytes.flip(idx, at: 3)
        let magic = try verify(dir.path)
        #expect(magic.problems.first == VerifyProblem(file: idx, byteOffset: 0, message: "bad magic: expected MMIDIDX\\0\\0 (Megatron MMIDIDX index)"))

        Bytes.flip(idx, at: 3)
        let sequences = dataset.manifest.buckets[0].shards[0].sequences
        let pointerOffset = Int(MegatronFormat.pointersOffset(sequences: sequences)) + 8  // second pointer
        Bytes.flip(idx, at: pointerOffset, xor: 0x02)
        let pointers = try verify(dir.path)
        #expect(pointers.problems.contains { $0.file == idx && $0.byteOffset == Int64(pointerOffset) && $0.message.contains("pointer") })
    }

    @Test func truncatedBinIsFound() throws {
        let dir = TemporaryDirectory()
        try Self.makeDataset(dir)
        let bin = dir.file("len-32/shard-00001.bin")
        let size = Bytes.read(bin).count
        Bytes.truncate(bin, by: 2)
        let report = try verify(dir.path)
        #expect(report.problems.contains {
            $0.file == bin && $0.byteOffset == Int64(size - 2) && $0.message.contains("truncated")
        })
    }

    @Test func wrongChecksumIsFound() throws {
        let dir = TemporaryDirectory()
        let dataset = try Self.makeDataset(dir)
        var manifest = dataset.manifest
        manifest.buckets[1].shards[0].docs.sha256 = String(repeating: "a", count: 64)
        try manifest.write(toDirectory: dir.path)
        let report = try verify(dir.path)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.file == dir.file("len-32/shard-00000.docs"))
        #expect(report.problems.first?.message.contains("does not match the manifest's aaaa") == true)

        // A changed token that is still a valid id: only the checksum can tell.
        try dataset.manifest.write(toDirectory: dir.path)
        let bin = dir.file("len-16/shard-00000.bin")
        Bytes.flip(bin, at: 0, xor: 0x01)
        let changed = try verify(dir.path)
        #expect(changed.problems.map(\.file) == [bin])
        #expect(changed.problems.first?.message.contains("sha256") == true)
        // Without reading tokens the .bin checksum is not checked, and the report says so.
        let quick = try verify(dir.path, VerifyOptions(checkTokens: false))
        #expect(quick.problems == [])
        #expect(quick.notes.contains { $0.contains("tokens not read") })
    }

    @Test func outOfVocabularyIdIsFound() throws {
        let dir = TemporaryDirectory()
        let dataset = try Self.makeDataset(dir)
        let bin = dir.file("len-32/shard-00000.bin")
        var bytes = Bytes.read(bin)
        let position = 5  // a document token (no document is that short in sequence 0 of len-32? checked below)
        #expect(dataset.sequences[32]![0].tokens[position] != TestDataset.eos)
        bytes.replaceSubrange(2 * position..<2 * position + 2, with: Bytes.le(UInt16(64_123)))
        Bytes.write(bin, bytes)
        let report = try verify(dir.path)
        #expect(report.problems.contains {
            $0.file == bin && $0.byteOffset == Int64(2 * position) && $0.message == "token id 64123 is not below the vocabulary size 64000"
        })
        // An explicit smaller vocabulary makes ordinary ids out of range too.
        let small = try verify(dir.file("len-16"), VerifyOptions(vocabularySize: 10))
        #expect(small.problems.contains { $0.message.contains("is not below the vocabulary size 10") })
    }

    @Test func brokenSidecarIsFound() throws {
        let dir = TemporaryDirectory()
        try Self.makeDataset(dir)
        let docs = dir.file("len-16/shard-00000.docs")
        let original = Bytes.read(docs)
        // First span's length (record 0 at offset 32, length at +12): 1 → makes spans overlap/gap.
        Bytes.flip(docs, at: 32 + 12, xor: 0x10)
        let report = try verify(dir.path)
        #expect(report.problems.contains { $0.file == docs && $0.byteOffset != nil && $0.message.contains("sequence 0") })
        #expect(report.problems.contains { $0.file == docs && $0.message.contains("sha256") })

        Bytes.write(docs, Array(original.dropLast(5)))
        let truncated = try verify(dir.path)
        #expect(truncated.problems.contains { $0.file == docs && $0.message.contains("trailer") })

        Bytes.write(docs, original)
        Bytes.flip(docs, at: 32 + 24, xor: 0x08)  // unknown flag bit in the first span
        let flags = try verify(dir.path)
        #expect(flags.problems.contains { $0.file == docs && $0.byteOffset == 56 && $0.message.contains("unknown flag") })
    }

    @Test func missingEOSAndWrongPaddingAreFound() throws {
        let dir = TemporaryDirectory()
        let dataset = try Self.makeDataset(dir)
        let sequence = dataset.sequences[16]![0]
        let end = sequence.spans.first { $0.isDocumentEnd }!
        let bin = dir.file("len-16/shard-00000.bin")
        var bytes = Bytes.read(bin)
        let eosAt = end.offset + end.length - 1
        bytes.replaceSubrange(2 * eosAt..<2 * eosAt + 2, with: Bytes.le(UInt16(7)))
        let padded = dataset.sequences[16]!.firstIndex { $0.padTokens > 0 }!
        let padAt = padded * 16 + 15
        bytes.replaceSubrange(2 * padAt..<2 * padAt + 2, with: Bytes.le(UInt16(9)))
        Bytes.write(bin, bytes)
        let report = try verify(dir.path)
        #expect(report.problems.contains { $0.file == bin && $0.byteOffset == Int64(2 * eosAt) && $0.message.contains("not EOS 2") })
        #expect(report.problems.contains { $0.file == bin && $0.byteOffset == Int64(2 * padAt) && $0.message.contains("pad id 0") })
    }

    @Test func folderWithoutManifestIsAnUnfinishedRun() throws {
        let dir = TemporaryDirectory()
        try Self.makeDataset(dir)
        try FileManager.default.removeItem(atPath: dir.file(Manifest.fileName))
        let report = try verify(dir.path)
        #expect(report.problems.map(\.message) == ["no manifest.json: an unfinished run (the manifest is written last)"])
        // A bucket folder alone is checked without the manifest's knowledge, and says so.
        let bucket = try verify(dir.file("len-16"))
        #expect(bucket.problems == [])
        #expect(bucket.notes.contains { $0.contains("no manifest.json") })
    }

    @Test func manifestAndFilesMustAgree() throws {
        let dir = TemporaryDirectory()
        try Self.makeDataset(dir)
        let fm = FileManager.default
        // A shard the manifest lists is gone.
        for ext in ["bin", "idx", "docs"] { try fm.removeItem(atPath: dir.file("len-32/shard-00001.\(ext)")) }
        // A shard the manifest does not list appeared (a copy under a new number).
        for ext in ["bin", "idx", "docs"] {
            try fm.copyItem(atPath: dir.file("len-16/shard-00000.\(ext)"), toPath: dir.file("len-16/shard-00009.\(ext)"))
        }
        // A bucket folder the manifest does not list.
        try fm.copyItem(atPath: dir.file("len-16"), toPath: dir.file("len-64"))
        let report = try verify(dir.path)
        #expect(report.problems.contains { $0.file == dir.file("len-32/shard-00001.idx") && $0.message == "shard listed in the manifest is missing" })
        #expect(report.problems.contains { $0.file == dir.file("len-16/shard-00009.idx") && $0.message == "shard is not listed in the manifest" })
        #expect(report.problems.contains { $0.file == dir.file("len-64") && $0.message == "bucket folder is not listed in the manifest" })
        // A whole bucket folder missing.
        try fm.removeItem(atPath: dir.file("len-32"))
        let missing = try verify(dir.path)
        #expect(missing.problems.contains { $0.file == dir.file("len-32") && $0.message == "bucket folder listed in the manifest is missing" })
    }

    /// Shards written the way megatron-core's `_IndexWriter` writes them for `preprocess_data.py`
    /// (one sequence per document, any lengths, several sequences per document allowed).
    @Test func foreignMegatronShardsAreChecked() throws {
        let dir = TemporaryDirectory()
        let lengths: [Int32] = [3, 1, 5]
        let tokens: [Int32] = [10, 11, 2, 2, 20, 21, 22, 23, 2]
        var idx = Array("MMIDIDX".utf8) + [0, 0] + Bytes.le(UInt64(1)) + [4] + Bytes.le(UInt64(3)) + Bytes.le(UInt64(3))
        idx += lengths.flatMap { Bytes.le($0) }
        idx += [Int64(0), 12, 16].flatMap { Bytes.le($0) }
        idx += [Int64(0), 2, 3].flatMap { Bytes.le($0) }
        dir.write("corpus_text_document.idx", bytes: idx)
        dir.write("corpus_text_document.bin", bytes: tokens.flatMap { Bytes.le($0) })
        let report = try verify(dir.file("corpus_text_document"), VerifyOptions(vocabularySize: 100))
        #expect(report.problems == [])
        #expect(report.notes.contains { $0.contains("no .docs sidecar") })
        #expect(report.sequencesChecked == 3 && report.tokensChecked == 9)

        var bad = tokens
        bad[4] = -7
        dir.write("corpus_text_document.bin", bytes: bad.flatMap { Bytes.le($0) })
        let negative = try verify(dir.path)
        #expect(negative.problems == [VerifyProblem(file: dir.file("corpus_text_document.bin"), byteOffset: 16, message: "token id -7 is negative")])
        // After the first eight ids (checked eight at a time), the last one alone.
        bad = tokens
        bad[8] = 100
        dir.write("corpus_text_document.bin", bytes: bad.flatMap { Bytes.le($0) })
        let beyond = try verify(dir.file("corpus_text_document"), VerifyOptions(vocabularySize: 100))
        #expect(beyond.problems == [VerifyProblem(file: dir.file("corpus_text_document.bin"), byteOffset: 32,
                                                  message: "token id 100 is not below the vocabulary size 100")])

        // Megatron asserts document_indices[-1] == N.
        dir.write("corpus_text_document.bin", bytes: tokens.flatMap { Bytes.le($0) })
        idx.replaceSubrange(idx.count - 8..<idx.count, with: Bytes.le(Int64(2)))
        dir.write("corpus_text_document.idx", bytes: idx)
        let lastIndex = try verify(dir.path)
        #expect(lastIndex.problems.contains { $0.message.contains("must equal the sequence count") || $0.message.contains("requires it to equal") })
    }
}
