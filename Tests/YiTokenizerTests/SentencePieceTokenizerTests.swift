import Dispatch
import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// The shared `TextTokenizer` object, used from several threads at once.
@Suite struct SentencePieceTokenizerTests {
    @Test func conformsAndMatchesTheEncoder() throws {
        let model = try ReferenceData.yi
        let tokenizer: any TextTokenizer = SentencePieceTokenizer(model: model)
        #expect(tokenizer.vocabularySize == 64000 && tokenizer.bosID == 1 && tokenizer.eosID == 2)
        let text = "Yi 的 tokenizer: <|im_start|>user\n你好 world!<|im_end|>"
        #expect(tokenizer.encode(text) == SentencePieceEncoder(model: model).encode(text))
        #expect(tokenizer.decode(tokenizer.encode(text)) == text)
    }

    @Test func manyThreadsGetTheReferenceIds() throws {
        let tokenizer = SentencePieceTokenizer(model: try ReferenceData.yi, maxIdleEncoders: 2)
        let documents = try ReferenceData.mixedCorpus().prefix(48).map(\.text)
        let expected = try ReferenceData.mixedCorpusIDs("yi").prefix(48)
        let results = ResultBox(count: documents.count)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in stride(from: worker, to: documents.count, by: 8) {
                results.set(index, tokenizer.encode(documents[index]))
            }
        }
        #expect(Array(expected) == results.values)
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [[TokenID]]
        init(count: Int) { storage = Array(repeating: [], count: count) }
        func set(_ index: Int, _ ids: [TokenID]) { lock.withLock { storage[index] = ids } }
        var values: [[TokenID]] { lock.withLock { storage } }
    }
}
