// The haystack begins at a sentence start of the filler (never mid-sentence or mid-word).
import Testing
@testable import YiContext
import YiCore
import YiTestSupport

/// The prompt text right after the header: the needle (depth 0, nothing before it) or filler text
/// that begins at one of the filler's sentence starts.
func haystackStartsAtASentence(_ sample: EvalSample, header: String, filler: FillerText) -> Bool {
    let prompt = Array(sample.prompt.unicodeScalars), head = Array(header.unicodeScalars)
    guard prompt.starts(with: head) else { return false }
    let rest = Array(prompt[head.count...]), needle = Array(sample.needle.unicodeScalars)
    if rest.starts(with: needle) { return true }
    // Compare the filler text up to the needle (or 48 scalars), which may follow a short haystack start.
    let needleAt = (0...(rest.count - needle.count)).first { rest[$0..<$0 + needle.count].elementsEqual(needle) } ?? rest.count
    var probe = Array(rest.prefix(min(48, needleAt)))
    while let last = probe.last, last.properties.isWhitespace { probe.removeLast() }  // the joint before the needle
    guard !probe.isEmpty else { return false }
    return filler.sentenceStarts.contains { start in
        filler.text(start, start + probe.count).unicodeScalars.elementsEqual(probe)
    }
}

private func header(_ kind: EvalKind, chat: EvalChatTemplate? = nil) -> String {
    var random = EvalRandom(seed: 0)
    let problem = kind.problem(using: &random)
    return chat.map { $0.wrap(problem) }?.header ?? problem.header
}

@Suite struct HaystackStartTests {
    static let depths = [0.0, 0.25, 0.5, 0.75, 1.0]

    /// Real Yi tokenizer, built-in fillers, depths 0…1 and several lengths: the text after the
    /// header starts a sentence, the prompt is exact and the needle sits at the requested depth.
    @Test(arguments: EvalKind.allCases)
    func realYiHaystacksStartAtASentence(kind: EvalKind) throws {
        let tokenizer = realYiTokenizer()
        let filler = kind.defaultFiller
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: filler)
        var samples: [EvalSample] = []
        try generator.generate(kind: kind, lengths: [1000, 4096, 8192], count: Self.depths.count, seed: 17) { samples.append($0) }
        #expect(samples.map(\.depth) == Self.depths + Self.depths + Self.depths)
        for sample in samples {
            checkSample(sample, tokenizer: tokenizer)
            #expect(sample.tokenCount == sample.targetLength)
            #expect(haystackStartsAtASentence(sample, header: header(kind), filler: filler),
                    "depth \(sample.depth), length \(sample.targetLength): \(sample.prompt.prefix(header(kind).count + 60))")
        }
        // Depth 0: the needle right after the header; depth 1: right before the question.
        for sample in samples where sample.depth == 0 { #expect(sample.measuredDepth == 0) }
        let question = kind == .passkey ? "\nWhat is the pass key?" : "\n\nWhat is the best thing to do in"
        for sample in samples where sample.depth == 1 { #expect(sample.prompt.contains(sample.needle + question)) }
    }

    @Test func realYiChatHaystacksStartAtASentence() throws {
        let tokenizer = realYiTokenizer()
        let filler = EvalKind.needle.defaultFiller
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: filler, chat: .yi)
        for (index, _) in Self.depths.enumerated() {
            let sample = try generator.sample(kind: .needle, targetLength: 8192, index: index, count: Self.depths.count, seed: 4)
            checkSample(sample, tokenizer: tokenizer)
            #expect(sample.tokenCount == 8192)
            #expect(haystackStartsAtASentence(sample, header: header(.needle, chat: .yi), filler: filler), "depth \(sample.depth)")
        }
    }

    /// The toy tokenizers too, over many odd targets and depths (and the corpus-style user filler).
    @Test func toyTokenizerHaystacksStartAtASentence() throws {
        for tokenizer in [GreedyTrieTokenizer.english as TextTokenizer, MiniBPETokenizer.alice] {
            for kind in EvalKind.allCases {
                let generator = EvalSetGenerator(tokenizer: tokenizer, filler: kind.defaultFiller)
                for target in stride(from: 257, to: 2600, by: 389) {
                    for index in 0..<5 {
                        let sample = try generator.sample(kind: kind, targetLength: target, index: index, count: 5, seed: UInt64(target))
                        checkSample(sample, tokenizer: tokenizer)
                        #expect(sample.tokenCount == target)
                        #expect(haystackStartsAtASentence(sample, header: header(kind), filler: kind.defaultFiller), "depth \(sample.depth), length \(target)")
                    }
                }
            }
        }
    }
}
