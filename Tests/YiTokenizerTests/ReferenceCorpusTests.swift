import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// The whole mixed-en-zh-v1 corpus (639 documents, 5.3 MB) against SentencePiece's ids.
@Suite struct ReferenceCorpusTests {
    @Test(arguments: ["yi", "llama2"])
    func corpusMatchesSentencePiece(_ name: String) throws {
        let model = try ReferenceData.model(Fixtures.requireShared("tokenizers/\(name)/tokenizer.model"))
        let documents = try ReferenceData.mixedCorpus()
        let expected = try ReferenceData.mixedCorpusIDs(name)
        #expect(documents.count == 639)
        #expect(expected.count == documents.count)
        // The second encoder's segment cache evicts constantly (compaction moves its parts).
        let encoder = SentencePieceEncoder(model: model)
        let smallCacheEncoder = SentencePieceEncoder(model: model, cacheSegments: true, mergeWholeTexts: false, smallCache: true)
        var differing = 0
        var tokens = 0
        for (index, document) in documents.enumerated() {
            let ids = encoder.encode(document.text)
            #expect(smallCacheEncoder.encode(document.text) == ids, "\(name) document \(index), small cache")
            tokens += ids.count
            if ids != expected[index] {
                differing += 1
                if differing <= 3 {
                    let at = zip(ids, expected[index]).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ids.count, expected[index].count)
                    Issue.record("\(name) document \(index): first difference at token \(at): \(ids[at...].prefix(8)) expected \(expected[index][at...].prefix(8))")
                }
            }
        }
        #expect(differing == 0, "\(name): \(differing) of \(documents.count) documents differ")
        #expect(tokens == (name == "yi" ? 1_584_065 : 2_232_103))
    }

    /// Decoding the Yi ids gives every document back exactly (SOURCES.md says SentencePiece does).
    @Test func yiDecodesCorpusExactly() throws {
        let model = try ReferenceData.yi
        let documents = try ReferenceData.mixedCorpus()
        let expected = try ReferenceData.mixedCorpusIDs("yi")
        let encoder = SentencePieceEncoder(model: model)
        var differing = 0
        for (index, document) in documents.enumerated() where encoder.decode(expected[index]) != document.text {
            differing += 1
        }
        #expect(differing == 0)
    }
}
