import Testing
import YiChecksum
import YiCore
import YiTestSupport
@testable import YiShards

@Suite struct MegatronIndexTests {
    /// Two 4-token uint16 sequences, laid out by hand from megatron-core's `_IndexWriter`:
    /// magic, u64 version, u8 dtype code, u64 N, u64 N+1, i32 lengths, i64 pointers, i64 doc indices.
    @Test func idxBytesMatchHandComputedUInt16() throws {
        let dir = TemporaryDirectory()
        let writer = try BucketShardWriter(directory: dir.path, sequenceLength: 4, shardTokens: 1_000, vocabularySize: 64_000)
        try writer.append(PackedSequence(tokens: [5, 6, 2, 0], spans: [DocumentSpan(offset: 0, length: 3, documentOrdinal: 0)]))
        try writer.append(PackedSequence(tokens: [7, 8, 9, 2], spans: [DocumentSpan(offset: 0, length: 4, documentOrdinal: 1)]))
        let shards = try writer.finish()
        let expected: [UInt8] =
            [0x4D, 0x4D, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00]  // "MMIDIDX\0\0"
            + [1, 0, 0, 0, 0, 0, 0, 0]                                // version 1
            + [8]                                                     // dtype code 8 = uint16
            + [2, 0, 0, 0, 0, 0, 0, 0]                                // 2 sequences
            + [3, 0, 0, 0, 0, 0, 0, 0]                                // 3 document indices
            + [4, 0, 0, 0, 4, 0, 0, 0]                                // lengths (i32)
            + [0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]        // pointers (i64): 0, 4 × 2 bytes
            + [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]  // doc indices 0, 1, 2
        #expect(Bytes.read(dir.file("shard-00000.idx")) == expected)
        #expect(Bytes.read(dir.file("shard-00000.bin")) == [5, 0, 6, 0, 2, 0, 0, 0, 7, 0, 8, 0, 9, 0, 2, 0])
        #expect(shards.count == 1)
        #expect(shards[0].idx.bytes == Int64(expected.count))
        #expect(shards[0].idx.sha256 == SHA256.hex(of: expected))
    }

    /// A vocabulary of 65,500 or more switches to int32 (code 4, 4-byte pointers step).
    @Test func idxBytesMatchHandComputedInt32() throws {
        let dir = TemporaryDirectory()
        let writer = try BucketShardWriter(directory: dir.path, sequenceLength: 3, shardTokens: 1_000, vocabularySize: 65_500)
        #expect(writer.dtype == .int32)
        try writer.append(PackedSequence(tokens: [65_499, 2, 0], spans: [DocumentSpan(offset: 0, length: 2, documentOrdinal: 0)]))
        try writer.append(PackedSequence(tokens: [70, 71, 2], spans: [DocumentSpan(offset: 0, length: 3, documentOrdinal: 1)]))
        try writer.finish()
        let expected: [UInt8] =
            Array("MMIDIDX".utf8) + [0, 0]
            + Bytes.le(UInt64(1)) + [4] + Bytes.le(UInt64(2)) + Bytes.le(UInt64(3))
            + Bytes.le(Int32(3)) + Bytes.le(Int32(3))
            + Bytes.le(Int64(0)) + Bytes.le(Int64(12))
            + Bytes.le(Int64(0)) + Bytes.le(Int64(1)) + Bytes.le(Int64(2))
        #expect(Bytes.read(dir.file("shard-00000.idx")) == expected)
        #expect(Bytes.read(dir.file("shard-00000.bin"))
                == Bytes.le(Int32(65_499)) + Bytes.le(Int32(2)) + Bytes.le(Int32(0)) + Bytes.le(Int32(70)) + Bytes.le(Int32(71)) + Bytes.le(Int32(2)))
    }

    @Test func dtypeRuleFollowsMegatron() {
        #expect(MegatronDType.forVocabulary(size: 64_000) == .uint16)
        #expect(MegatronDType.forVocabulary(size: 65_499) == .uint16)
        #expect(MegatronDType.forVocabulary(size: 65_500) == .int32)
        #expect(MegatronDType.forVocabulary(size: 152_064) == .int32)
    }

    @Test func headerErrorsNameTheOffset() throws {
        let dir = TemporaryDirectory()
        var bytes = Array("MMIDIDX".utf8) + [0, 0] + Bytes.le(UInt64(1)) + [8] + Bytes.le(UInt64(0)) + Bytes.le(UInt64(1)) + Bytes.le(Int64(0))
        dir.write("ok.idx", bytes: bytes)
        #expect(try MegatronIndexFile(path: dir.file("ok.idx")).header == MegatronIndexHeader(dtype: .uint16, sequenceCount: 0, documentCount: 1))
        bytes[9] = 2
        dir.write("version.idx", bytes: bytes)
        #expect(throws: YiError.self) { try MegatronIndexFile(path: dir.file("version.idx")) }
        do {
            _ = try MegatronIndexFile(path: dir.file("version.idx"))
        } catch let error as YiError {
            #expect(error.context.byteOffset == 9)
            #expect(error.message.contains("version 2"))
        }
        bytes[9] = 1
        bytes[17] = 9
        dir.write("dtype.idx", bytes: bytes)
        do {
            _ = try MegatronIndexFile(path: dir.file("dtype.idx"))
            Issue.record("dtype 9 accepted")
        } catch let error as YiError {
            #expect(error.context.byteOffset == 17)
        }
    }
}
