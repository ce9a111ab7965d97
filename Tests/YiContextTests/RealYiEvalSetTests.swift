// Evaluation sets measured with the real Yi tokenizer (../shared/tokenizers/yi/tokenizer.model).
import Testing
import YiContext
import YiCore
import YiTestSupport
import YiTokenizer

/// The native SentencePiece tokenizer on Yi's model, loaded once for the suite.
private let sharedYiTokenizer: SentencePieceTokenizer = {
    try! SentencePieceTokenizer(contentsOf: Fixtures.requireShared("tokenizers/yi/tokenizer.model"))
}()

func realYiTokenizer() -> TextTokenizer { sharedYiTokenizer }

@Suite struct RealYiEvalSetTests {
    @Test(arguments: EvalKind.allCases)
    func builtInFillerPromptsAreExactlyTheTargetLength(kind: EvalKind) throws {
        let tokenizer = realYiTokenizer()
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: kind.defaultFiller)
        var samples: [EvalSample] = []
        try generator.generate(kind: kind, lengths: [8192, 16384], count: 3, seed: 1) { samples.append($0) }
        #expect(samples.count == 6)
        for sample in samples {
            checkSample(sample, tokenizer: tokenizer)
            #expect(sample.tokenCount == sample.targetLength)
        }
    }

    @Test func corpusFillerPromptsAreExactlyTheTargetLength() throws {
        // Mixed English, Chinese, code and wikitext: characters per token vary a lot along the text.
        let tokenizer = realYiTokenizer()
        let (pool, _) = try FillerText.load(path: Fixtures.requireShared("corpora/jsonl/corpus.jsonl"), characterLimit: 16384 * 32)
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: pool)
        for kind in EvalKind.allCases {
            for index in 0..<3 {
                let sample = try generator.sample(kind: kind, targetLength: 16384, index: index, count: 3, seed: 3)
                checkSample(sample, tokenizer: tokenizer)
            }
        }
    }
}
