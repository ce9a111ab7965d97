// `evalset --chat yi`: prompts inside Yi's chat template, sized with the native Yi tokenizer.
import Foundation
import Testing
import YiContext
import YiCore
import YiTestSupport
import YiTokenizer

@Suite struct ChatEvalSetTests {
    /// The template pieces are those of Yi's own `tokenizer_config.json` `chat_template` (one user
    /// message, add_generation_prompt=True).
    @Test func templateIsYisOwn() throws {
        let config = try Data(contentsOf: URL(fileURLWithPath: Fixtures.requireShared("tokenizers/yi/tokenizer_config.json")))
        let template = try #require((try JSONSerialization.jsonObject(with: config) as? [String: Any])?["chat_template"] as? String)
        #expect(template.contains("{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"))
        #expect(template.contains("{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"))
        #expect(EvalChatTemplate.yi.render(userMessage: "Hi") == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    /// The whole input, template included, is exactly the target in Yi tokens; the template's
    /// markers are single tokens (ids 6 and 7, USER_DEFINED pieces of Yi's model).
    @Test(arguments: EvalKind.allCases)
    func wholeChatInputIsTheTargetLength(kind: EvalKind) throws {
        let tokenizer = realYiTokenizer()
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: kind.defaultFiller, chat: .yi)
        var samples: [EvalSample] = []
        try generator.generate(kind: kind, lengths: [8192], count: 2, seed: 5) { samples.append($0) }
        for sample in samples {
            checkSample(sample, tokenizer: tokenizer)
            #expect(sample.tokenCount == sample.targetLength)
            #expect(sample.prompt.hasPrefix("<|im_start|>user\n"))
            #expect(sample.prompt.hasSuffix("<|im_end|>\n<|im_start|>assistant\n"))
            let ids = tokenizer.encode(sample.prompt)
            #expect(ids.first == 6)
            #expect(ids.filter { $0 == 6 }.count == 2 && ids.filter { $0 == 7 }.count == 1)
            #expect(ids.count == 8192)
            #expect(JSONWriter.string(sample.jsonValue).hasPrefix("{\"chat\":\"yi\""))
        }
        // Without --chat the records carry no chat key (earlier outputs stay byte-identical).
        let plain = try EvalSetGenerator(tokenizer: tokenizer, filler: kind.defaultFiller)
            .sample(kind: kind, targetLength: 8192, index: 0, count: 1, seed: 5)
        #expect(!plain.prompt.contains("<|im_start|>"))
        #expect(plain.chat == nil)
    }

    /// The default needle haystack is continuous prose that never repeats, even at 16K.
    @Test func needleHaystackDoesNotRepeat() throws {
        let tokenizer = realYiTokenizer()
        let filler = EvalKind.needle.defaultFiller
        #expect(tokenizer.encode(String(String.UnicodeScalarView(filler.scalars))).count > 32_768)
        let sample = try EvalSetGenerator(tokenizer: tokenizer, filler: filler)
            .sample(kind: .needle, targetLength: 16384, index: 0, count: 1, seed: 2)
        checkSample(sample, tokenizer: tokenizer)
        let paragraphs = sample.prompt.components(separatedBy: "\n\n").filter { $0.count >= 80 }
        #expect(paragraphs.count > 50)
        #expect(Set(paragraphs).count == paragraphs.count, "a paragraph occurs twice in the haystack")
    }
}
