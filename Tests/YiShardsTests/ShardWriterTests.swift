import Foundation
import PropertyBased
import Testing
import YiChecksum
import YiCore
import YiTestSupport
@testable import YiShards

@Suite struct ShardWriterTests {
    /// Whatever the documents, sequence length, vocabulary and shard size: reading every sequence
    /// back gives the written tokens and spans, in order, across shard boundaries.
    @Test func writeThenReadIsIdentity() async throws {
        await propertyCheck(count: 40, input: Gen.int(in: 0...30), Gen.int(in: 1...64), Gen.int(in: 1...200), Gen.bool,
                            Gen.int(in: 1...8), Gen.int(in: 1...1_000)) { documentCount, length, maxDocument, wideVocabulary, shardSize, seed in
            let vocabulary = wideVocabulary ? 100_000 : 64_000
            let documents = TestPacker.documents(count: documentCount, seed: UInt64(seed), maxLength: maxDocument, vocabulary: vocabulary)
            let sequences = TestPacker.pack(documents, length: length)
            // At most ~4 shards per case (each file costs an fsync, ~3 ms here); the token budget is not a multiple of the length.
            let perShard = max(shardSize, sequences.count / 4)
            let dir = TemporaryDirectory()
            let writer = try BucketShardWriter(directory: dir.path, sequenceLength: length, shardTokens: length * perShard + length / 2,
                                               vocabularySize: vocabulary)
            for sequence in sequences { try writer.append(sequence) }
            let shards = try writer.finish()
            #expect(shards.count == (sequences.count + perShard - 1) / perShard)
            guard !sequences.isEmpty else {
                #expect(throws: YiError.self) { try DatasetLayout.resolve(dir.path) }  // nothing written, nothing to read
                return
            }
            let layout = try DatasetLayout.resolve(dir.path)
            let reader = try BucketReader(bucket: layout.buckets[0])
            #expect(reader.sequenceCount == sequences.count)
            for (n, sequence) in sequences.enumerated() {
                let read = try reader.sequence(n)
                #expect(read.tokens == sequence.tokens)
                #expect(read.spans == sequence.spans)
            }
            // No token lost: every document token appears once, in order.
            let spanTokens = sequences.flatMap { s in s.spans.flatMap { s.tokens[$0.offset..<$0.offset + $0.length] } }
            #expect(spanTokens == documents.flatMap(\.tokens))
            #expect(DatasetVerifier.verify(layout: layout, options: VerifyOptions(vocabularySize: vocabulary, eosID: 2)).problems == [])
        }
    }

    @Test func rotatesShardsAtShardTokens() throws {
        let dir = TemporaryDirectory()
        let documents = TestPacker.documents(count: 50, seed: 3, maxLength: 20, vocabulary: 64_000)
        let sequences = TestPacker.pack(documents, length: 16)
        #expect(sequences.count > 10)
        var finished: [String] = []
        // 50 tokens per shard → 3 sequences of 16 (48 tokens) each; rotation before exceeding.
        let writer = try BucketShardWriter(directory: dir.path, sequenceLength: 16, shardTokens: 50, vocabularySize: 64_000, firstShardIndex: 7)
        writer.onShardFinished = { finished.append($0.name) }
        for sequence in sequences { try writer.append(sequence) }
        let shards = try writer.finish()
        #expect(shards.map(\.sequences).dropLast().allSatisfy { $0 == 3 })
        #expect(shards.reduce(0) { $0 + $1.sequences } == sequences.count)
        #expect(shards.allSatisfy { $0.tokens <= 50 && $0.tokens == $0.sequences * 16 })
        #expect(shards.first?.name == "shard-00007")
        #expect(finished == shards.map(\.name))
        for shard in shards {
            #expect(Int64(Bytes.read(dir.file(shard.name + ".bin")).count) == shard.bin.bytes)
            #expect(SHA256.hex(of: Bytes.read(dir.file(shard.name + ".bin"))) == shard.bin.sha256)
            #expect(SHA256.hex(of: Bytes.read(dir.file(shard.name + ".docs"))) == shard.docs.sha256)
            #expect(SHA256.hex(of: Bytes.read(dir.file(shard.name + ".idx"))) == shard.idx.sha256)
        }
        // Pad, span and document counts per shard agree with the sequences themselves.
        var n = 0
        for shard in shards {
            let slice = sequences[n..<n + shard.sequences]
            #expect(shard.padTokens == slice.reduce(0) { $0 + $1.padTokens })
            #expect(shard.spans == slice.reduce(0) { $0 + $1.spans.count })
            #expect(shard.documentEnds == slice.reduce(0) { $0 + $1.spans.filter(\.isDocumentEnd).count })
            #expect(shard.splitDocuments == slice.reduce(0) { $0 + $1.spans.filter { !$0.isDocumentEnd && $0.part == 0 }.count })
            n += shard.sequences
        }
        // A shard smaller than one sequence still holds one.
        let tiny = TemporaryDirectory()
        let one = try BucketShardWriter(directory: tiny.path, sequenceLength: 16, shardTokens: 5, vocabularySize: 64_000)
        for sequence in sequences.prefix(2) { try one.append(sequence) }
        #expect(try one.finish().map(\.sequences) == [1, 1])
    }

    /// A writer dropped (or a process killed) mid-shard leaves no file under a final name; the
    /// shards finished before it stay complete.
    @Test func abandonedWriterLeavesNoPartialShard() throws {
        let dir = TemporaryDirectory()
        let sequences = TestPacker.pack(TestPacker.documents(count: 30, seed: 9, maxLength: 12, vocabulary: 64_000), length: 8)
        do {
            let writer = try BucketShardWriter(directory: dir.path, sequenceLength: 8, shardTokens: 16, vocabularySize: 64_000)
            for sequence in sequences.prefix(3) { try writer.append(sequence) }
            // The second shard is open with one sequence: temporary files only.
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(names.contains { $0.hasPrefix("shard-00001.bin.tmp-") })
            #expect(!names.contains("shard-00001.bin") && !names.contains("shard-00001.idx"))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["shard-00000.bin", "shard-00000.docs", "shard-00000.idx"])
        #expect(DatasetVerifier.verify(layout: try DatasetLayout.resolve(dir.path), options: VerifyOptions(eosID: 2)).problems == [])

        let explicit = TemporaryDirectory()
        let writer = try BucketShardWriter(directory: explicit.path, sequenceLength: 8, shardTokens: 800, vocabularySize: 64_000)
        try writer.append(sequences[0])
        writer.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: explicit.path).isEmpty)
    }

    /// What `--resume` does after a kill: keep the complete shards, drop the rest, continue with
    /// the next shard number from the first sequence not yet written: the same bytes as one run.
    @Test func resumingAfterAKillGivesTheSameBytes() throws {
        let sequences = TestPacker.pack(TestPacker.documents(count: 60, seed: 4, maxLength: 30, vocabulary: 64_000), length: 16)
        let whole = TemporaryDirectory()
        let reference = try BucketShardWriter(directory: whole.path, sequenceLength: 16, shardTokens: 64, vocabularySize: 64_000)
        for sequence in sequences { try reference.append(sequence) }
        let expected = try reference.finish()
        #expect(expected.count > 3)

        let killed = TemporaryDirectory()
        do {
            let writer = try BucketShardWriter(directory: killed.path, sequenceLength: 16, shardTokens: 64, vocabularySize: 64_000)
            for sequence in sequences.prefix(10) { try writer.append(sequence) }  // 2 shards of 4, 2 sequences in the third
        }
        killed.write("shard-00002.bin", bytes: [1, 2, 3])  // as if killed between the .bin and .idx renames
        killed.write("shard-00002.docs.tmp-999", bytes: [4])
        let done = try ShardRecovery.completedShards(in: killed.path)
        #expect(done == Array(expected.prefix(2)))
        #expect(try ShardRecovery.removeIncompleteShards(in: killed.path) == ["shard-00002.bin", "shard-00002.docs.tmp-999"])
        let resumed = try BucketShardWriter(directory: killed.path, sequenceLength: 16, shardTokens: 64, vocabularySize: 64_000,
                                            firstShardIndex: done.count)
        for sequence in sequences.dropFirst(done.reduce(0) { $0 + $1.sequences }) { try resumed.append(sequence) }
        #expect(done + (try resumed.finish()) == expected)
        let names = try FileManager.default.contentsOfDirectory(atPath: whole.path).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: killed.path).sorted() == names)
        for name in names { #expect(Bytes.read(killed.file(name)) == Bytes.read(whole.file(name)), "\(name) differs") }
    }

    /// Temporary files and a `.bin` without `.idx` (a kill between renames) are what verify reports.
    @Test func verifyReportsLeftoversOfAKilledRun() throws {
        let dir = TemporaryDirectory()
        let sequences = TestPacker.pack(TestPacker.documents(count: 10, seed: 1, maxLength: 12, vocabulary: 64_000), length: 8)
        let writer = try BucketShardWriter(directory: dir.path, sequenceLength: 8, shardTokens: 800, vocabularySize: 64_000)
        for sequence in sequences { try writer.append(sequence) }
        try writer.finish()
        dir.write("shard-00001.bin", bytes: [1, 0])
        dir.write("shard-00002.bin.tmp-123", bytes: [1, 0])
        let report = DatasetVerifier.verify(layout: try DatasetLayout.resolve(dir.path))
        #expect(report.problems.contains { $0.file.hasSuffix("shard-00001") && $0.message.contains("no .idx") })
        #expect(report.problems.contains { $0.file.hasSuffix("shard-00002.bin.tmp-123") })
    }

    @Test func idsOutsideTheVocabularyAreRejected() throws {
        let dir = TemporaryDirectory()
        let writer = try BucketShardWriter(directory: dir.path, sequenceLength: 2, shardTokens: 100, vocabularySize: 1_000)
        #expect(writer.dtype == .uint16)
        do {
            try writer.append(PackedSequence(tokens: [5, 1_000], spans: [DocumentSpan(offset: 0, length: 2, documentOrdinal: 0)]))
            Issue.record("id 1000 accepted for a vocabulary of 1000")
        } catch let error as YiError {
            #expect(error.code == .tokenOutOfRange)
            #expect(error.message.contains("1000"))
        }
    }
}
