import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// Every line of the shared `fixtures.spm.jsonl` files (edge cases with SentencePiece's ids).
@Suite struct ReferenceFixtureTests {
    static let models = ["yi", "llama2", "zh-bpe-nfkc"]

    @Test(arguments: models)
    func fixturesMatchSentencePiece(_ name: String) throws {
        let model = try ReferenceData.model(Fixtures.requireShared("tokenizers/\(name)/tokenizer.model"))
        let cases = try ReferenceData.cases(file: Fixtures.requireShared("tokenizers/\(name)/fixtures.spm.jsonl"))
        #expect(cases.count > 300)
        for cached in [true, false] {
            let encoder = SentencePieceEncoder(model: model, cacheSegments: cached)
            var differing: [Int] = []
            for (index, fixture) in cases.enumerated() where encoder.encode(fixture.text) != fixture.ids {
                differing.append(index + 1)
                if differing.count <= 5 {
                    Issue.record("\(name) line \(index + 1) (cache \(cached)): \(fixture.text.debugDescription.prefix(120)) -> \(encoder.encode(fixture.text).prefix(40)) expected \(fixture.ids.prefix(40))")
                }
            }
            #expect(differing.isEmpty, "\(name): \(differing.count) of \(cases.count) fixtures differ")
        }
    }
}
