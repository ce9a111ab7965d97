import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiShards

/// Inputs that crashed a reader under fuzzing (tools/fuzz/regressions/, docs/reliability.md),
/// restated as tests of the damage they contain: each must be a problem in the report, not a trap.
@Suite struct FuzzFindingTests {
    /// A sidecar header whose sequence length does not fit an Int trapped in `BoundarySidecarFile`
    /// (regressions/dataset/sidecar-sequence-length-overflow); a trailer table offset above
    /// Int64.max trapped the same way.
    @Test func sidecarFieldsAbove63BitsAreProblemsNotTraps() throws {
        let dir = TemporaryDirectory()
        try VerifyTests.makeDataset(dir)
        let docs = dir.file("len-16/shard-00000.docs")
        let original = Bytes.read(docs)

        var bytes = original
        bytes.replaceSubrange(16..<24, with: Bytes.le(UInt64.max))
        Bytes.write(docs, bytes)
        let length = try DatasetVerifier.verify(path: dir.path)
        #expect(length.problems.contains { $0.file == docs && $0.message.contains("more than any shard can hold") }, "\(length.problems)")

        bytes = original
        bytes.replaceSubrange(bytes.count - 16..<bytes.count - 8, with: Bytes.le(UInt64.max))
        Bytes.write(docs, bytes)
        let offset = try DatasetVerifier.verify(path: dir.path)
        #expect(offset.problems.contains { $0.file == docs && $0.message.contains("table offset") }, "\(offset.problems)")
    }

    /// A span record whose document ordinal does not fit an Int trapped in `inspect`'s reader
    /// (regressions/dataset/sidecar-document-ordinal-overflow).
    @Test func aSpanOrdinalAbove63BitsIsAnErrorNotATrap() throws {
        let dir = TemporaryDirectory()
        try VerifyTests.makeDataset(dir)
        let docs = dir.file("len-16/shard-00000.docs")
        var bytes = Bytes.read(docs)
        bytes.replaceSubrange(32..<40, with: Bytes.le(UInt64.max))  // record 0's ordinal
        Bytes.write(docs, bytes)
        let reader = try ShardReader(prefix: dir.file("len-16/shard-00000"))
        do {
            _ = try reader.spans(ofSequence: 0)
            Issue.record("a span of document 2^64-1 was read")
        } catch let error as YiError {
            #expect(error.code == .corruptInput && error.message.contains("18446744073709551615"))
        }
        #expect(!(try DatasetVerifier.verify(path: dir.path)).isSound)
    }

    /// A sequence pointer near Int64.max overflowed the next expected pointer in `verify`
    /// (regressions/dataset/idx-pointer-overflow).
    @Test func aPointerNearInt64MaxIsAProblemNotATrap() throws {
        let dir = TemporaryDirectory()
        try VerifyTests.makeDataset(dir)
        let idx = dir.file("len-16/shard-00000.idx")
        let offset = Int(try MegatronIndexFile(path: idx).pointerOffset(0))
        var bytes = Bytes.read(idx)
        bytes.replaceSubrange(offset..<offset + 8, with: Bytes.le(UInt64(Int64.max)))
        Bytes.write(idx, bytes)
        let report = try DatasetVerifier.verify(path: dir.path)
        #expect(report.problems.contains { $0.file == idx && $0.message.contains("sequence 0 pointer 9223372036854775807 plus its length is beyond any file") },
                "\(report.problems)")
        #expect(!report.isSound)
    }
}
