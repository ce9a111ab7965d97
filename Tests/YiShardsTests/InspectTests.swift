import Testing
import YiCore
import YiTestSupport
@testable import YiShards

@Suite struct InspectTests {
    @Test func sequenceIsShownWithItsBoundaries() throws {
        let dir = TemporaryDirectory()
        let documents = TestPacker.documents(count: 30, seed: 21, maxLength: 40, vocabulary: TestDataset.vocabulary)
        let dataset = try TestDataset(directory: dir.path, documents: documents, lengths: [16, 32], shardTokens: 100)
        let layout = try DatasetLayout.resolve(dir.path)
        let reader = try BucketReader(bucket: layout.bucket(sequenceLength: 32)!)
        let expected = dataset.sequences[32]!
        #expect(reader.sequenceCount == expected.count)
        // A sequence in a later shard, holding the part of a split document.
        let n = expected.indices.last { i in expected[i].spans.contains { !$0.isDocumentEnd } }!
        #expect(n >= 3)  // 3 sequences per shard: not in the first shard
        let sequence = try reader.sequence(n)
        #expect(sequence.tokens == expected[n].tokens && sequence.spans == expected[n].spans)
        #expect(sequence.shardName == "shard-0000\(n / 3)" && sequence.indexInShard == n % 3)

        let text = SequenceInspection.render(sequence, bucketName: "len-32", sequenceNumber: n, sources: TestDataset.sources,
                                             padID: 0, decode: { $0.map { "t\($0)" }.joined(separator: " ") })
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("len-32 sequence \(n) (shard-0000\(n / 3) #\(n % 3)): 32 tokens, \(expected[n].spans.count) span"))
        for (k, span) in expected[n].spans.enumerated() {
            let header = lines.first { $0.hasPrefix("── span \(k + 1): document \(span.documentOrdinal) (\(TestDataset.sources[span.sourceIndex]))") }
            #expect(header != nil)
            #expect(header?.contains(span.isDocumentEnd ? "ends with EOS" : "continues in a later sequence") == true)
            #expect(header?.contains("work part \(span.documentOrdinal >> 40) #\(span.documentOrdinal & ((1 << 40) - 1))") == true)
            if span.part > 0 || !span.isDocumentEnd {
                #expect(header?.contains("split part \(span.part),") == true, "numbered as the sidecar's part field")
            }
            let body = expected[n].tokens[span.offset..<span.offset + span.length].map { "t\($0)" }.joined(separator: " ")
            #expect(lines.contains(body))
        }
        if expected[n].padTokens > 0 {
            #expect(lines.contains { $0.hasPrefix("── padding: tokens \(32 - expected[n].padTokens)..<32") && $0.contains("pad id 0") })
        }
        // Ids only.
        let idsOnly = SequenceInspection.render(sequence, bucketName: "len-32", sequenceNumber: n)
        #expect(idsOnly.contains("[\(expected[n].tokens[0]), "))

        #expect(throws: YiError.self) { try reader.sequence(expected.count) }
    }
}
