import Testing
@testable import YiContext
import YiCore
import YiTestSupport

private func occurrences(_ needle: String, in text: String) -> Int {
    let n = Array(needle.unicodeScalars), h = Array(text.unicodeScalars)
    guard !n.isEmpty, h.count >= n.count else { return 0 }
    return (0...(h.count - n.count)).filter { h[$0..<$0 + n.count].elementsEqual(n) }.count
}

/// What every generated prompt must satisfy, checked independently of the generator.
func checkSample(_ sample: EvalSample, tokenizer: TextTokenizer, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let measured = tokenizer.encode(sample.prompt).count
    #expect(measured == sample.tokenCount, sourceLocation: sourceLocation)
    #expect(measured <= sample.targetLength && measured >= sample.targetLength - EvalSetGenerator.maximumShortfall,
            "\(measured) tokens for target \(sample.targetLength)", sourceLocation: sourceLocation)
    #expect(occurrences(sample.needle, in: sample.prompt) == 1, sourceLocation: sourceLocation)
    #expect(occurrences(sample.answer, in: sample.prompt) == occurrences(sample.answer, in: sample.needle), sourceLocation: sourceLocation)
    #expect(occurrences(sample.answer, in: sample.needle) >= 1, sourceLocation: sourceLocation)
    // Depth granularity is a sentence or word of filler: loose for tiny haystacks, tight for real ones.
    #expect(abs(sample.measuredDepth - sample.depth) <= max(0.02, 12 / Double(sample.haystackTokens)), "depth \(sample.depth) measured \(sample.measuredDepth)", sourceLocation: sourceLocation)
}

@Suite struct TestTokenizerTests {
    /// The test tokenizers must be non-additive, or the exactness tests below would prove little.
    @Test func testTokenizersAreNotAdditive() {
        let pairs = [("th", "e cat"), ("The pass", " key is"), ("Alice w", "as"), ("sh", "e said")]
        for tokenizer in [GreedyTrieTokenizer.english as TextTokenizer, MiniBPETokenizer.alice] {
            let differing = pairs.filter { tokenizer.encode($0.0 + $0.1).count != tokenizer.encode($0.0).count + tokenizer.encode($0.1).count }
            #expect(!differing.isEmpty)
            #expect(tokenizer.decode(tokenizer.encode("Alice ‘was’ 中文 12345.")) == "Alice ‘was’ 中文 12345.")
        }
    }
}

@Suite struct EvalSetGeneratorTests {
    static let tokenizers: [(String, TextTokenizer)] = [("greedy", GreedyTrieTokenizer.english), ("bpe", MiniBPETokenizer.alice)]

    @Test(arguments: [EvalKind.passkey, .needle], [0, 1])
    func promptsHitTheTargetExactly(kind: EvalKind, tokenizerIndex: Int) throws {
        let (_, tokenizer) = Self.tokenizers[tokenizerIndex]
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: kind.defaultFiller)
        var samples: [EvalSample] = []
        try generator.generate(kind: kind, lengths: [257, 1000, 3000], count: 5, seed: 7) { samples.append($0) }
        #expect(samples.count == 15)
        for sample in samples {
            checkSample(sample, tokenizer: tokenizer)
            // The documented margin is for the impossible case; with these tokenizers every cut is exact.
            #expect(sample.tokenCount == sample.targetLength)
        }
        #expect(samples.map(\.depth) == [0, 0.25, 0.5, 0.75, 1, 0, 0.25, 0.5, 0.75, 1, 0, 0.25, 0.5, 0.75, 1])
        #expect(samples.map(\.targetLength) == [257, 257, 257, 257, 257, 1000, 1000, 1000, 1000, 1000, 3000, 3000, 3000, 3000, 3000])
        // Depth 0: the needle right after the instructions; depth 1: right before the question.
        let first = samples[10], last = samples[14]
        #expect(first.prompt.unicodeScalars.count > 3000 && first.measuredDepth == 0)
        let question = kind == .passkey ? "\nWhat is the pass key?" : "\n\nWhat is the best thing to do in"
        #expect(last.prompt.contains(last.needle + question))
    }

    @Test func manyTargetsAndDepthsAreExact() throws {
        // A sweep of odd targets and depths with the BPE tokenizer, whose counts move both ways per scalar.
        let tokenizer = MiniBPETokenizer.alice
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: .builtinProse())
        for target in stride(from: 211, to: 1500, by: 97) {
            let sample = try generator.sample(kind: .needle, targetLength: target, index: target % 7, count: 7, seed: UInt64(target))
            checkSample(sample, tokenizer: tokenizer)
            #expect(sample.tokenCount == target)
        }
    }

    @Test func deterministicWithSeedAndIndependentOfOtherLengths() throws {
        let generator = EvalSetGenerator(tokenizer: GreedyTrieTokenizer.english, filler: .builtinProse())
        func run(_ lengths: [Int], seed: UInt64) throws -> [EvalSample] {
            var samples: [EvalSample] = []
            try generator.generate(kind: .needle, lengths: lengths, count: 3, seed: seed) { samples.append($0) }
            return samples
        }
        let a = try run([500, 900], seed: 42)
        let b = try run([500, 900], seed: 42)
        #expect(a == b)
        #expect(try run([900], seed: 42) == Array(a[3...]))
        let c = try run([500, 900], seed: 43)
        #expect(zip(a, c).filter { $0.prompt == $1.prompt }.isEmpty)
        #expect(Set(a.map(\.answer)).count > 1 || Set(a.map(\.prompt)).count == a.count)
    }

    @Test func passkeyDigitsNeverOccurOutsideTheNeedle() throws {
        // Filler full of 5-digit numbers: drawn keys that occur in it are redrawn.
        var numbers: [String] = []
        var random = EvalRandom(seed: 1)
        for _ in 0..<3000 { numbers.append(String(10_000 + random.next(below: 90_000))) }
        let filler = try FillerText(documents: ["Inventory numbers follow. " + numbers.joined(separator: ". ") + "."], origin: "numbers")
        let tokenizer = GreedyTrieTokenizer.english
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: filler)
        for index in 0..<4 {
            let sample = try generator.sample(kind: .passkey, targetLength: 600, index: index, count: 4, seed: 5)
            checkSample(sample, tokenizer: tokenizer)
            #expect(!numbers.contains(sample.answer))
        }
        // A filler that contains every possible key cannot work: a clear error, not a wrong prompt.
        let all = try FillerText(documents: [(10_000..<100_000).map(String.init).joined(separator: " ")], origin: "all keys")
        #expect(throws: YiError.self) {
            try EvalSetGenerator(tokenizer: tokenizer, filler: all).sample(kind: .passkey, targetLength: 300, index: 0, count: 1, seed: 0)
        }
    }

    @Test func userFillerFromJSONLAndText() throws {
        let directory = TemporaryDirectory("yi-evalset")
        let jsonl = directory.write("filler.jsonl", """
        {"text": "The harbour was quiet that morning. Gulls circled the masts.\\n\\nA second paragraph follows here.", "id": 1}
        not json
        {"id": 2}

        {"text": "中文的句子。第二句话！Mixed text continues here. Another sentence? Yes."}
        """)
        let (pool, report) = try FillerText.load(path: jsonl, characterLimit: 1 << 20)
        #expect(report == FillerLoadReport(documents: 2, skippedLines: 2, truncated: false))
        #expect(String(String.UnicodeScalarView(pool.scalars)).hasPrefix("The harbour was quiet that morning. Gulls circled the masts.\n\nA second paragraph follows here.\n\n中文的句子。"))
        // Sentence starts: after ". ", after the paragraph break, after 。 and ！.
        let text = Array(pool.scalars)
        let starts = pool.sentenceStarts.map { String(String.UnicodeScalarView(text[$0..<min(text.count, $0 + 3)])) }
        #expect(starts.starts(with: ["The", "Gul", "A s", "中文的", "第二句", "Mix", "Ano", "Yes"]))

        let tokenizer = MiniBPETokenizer.alice
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: pool)
        for index in 0..<3 {
            checkSample(try generator.sample(kind: .needle, targetLength: 700, index: index, count: 3, seed: 9), tokenizer: tokenizer)
        }

        let plain = directory.write("filler.txt", "\u{FEFF}First line.\r\nSecond line.\r\n\r\nNew paragraph.\u{1B}[0m End.\r\n")
        let (textPool, textReport) = try FillerText.load(path: plain, characterLimit: 1 << 20)
        #expect(textReport.documents == 1)
        #expect(String(String.UnicodeScalarView(textPool.scalars)) == "First line.\nSecond line.\n\nNew paragraph. [0m End.\n\n")

        let truncated = try FillerText.load(path: jsonl, characterLimit: 10).1
        #expect(truncated.truncated && truncated.documents == 1)
        #expect(throws: YiError.self) { try FillerText.load(path: directory.write("empty.jsonl", "{\"id\": 1}\n"), characterLimit: 100) }
        #expect(throws: YiError.self) { try FillerText.load(path: directory.file("missing.txt"), characterLimit: 100) }
    }

    @Test func tooShortTargetsAreUsageErrors() {
        let generator = EvalSetGenerator(tokenizer: GreedyTrieTokenizer.english, filler: .passkeyClassic())
        #expect(throws: YiError.self) { try generator.sample(kind: .passkey, targetLength: 20, index: 0, count: 1, seed: 0) }
        #expect(throws: YiError.self) { try generator.sample(kind: .passkey, targetLength: 0, index: 0, count: 1, seed: 0) }
        #expect(throws: YiError.self) { try generator.generate(kind: .passkey, lengths: [500], count: 0, seed: 0) { _ in } }
    }

    @Test func jsonRecordHasTheDocumentedFields() throws {
        let sample = try EvalSetGenerator(tokenizer: GreedyTrieTokenizer.english, filler: .passkeyClassic())
            .sample(kind: .passkey, targetLength: 400, index: 1, count: 3, seed: 11)
        let record = try JSONParser.parse(JSONWriter.string(sample.jsonValue))
        guard case .object(let members) = record else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["kind", "index", "target_length", "token_count", "depth", "measured_depth", "haystack_tokens", "seed", "answer", "needle", "filler", "prompt"])
        #expect(record["kind"] == .string("passkey"))
        #expect(record["target_length"] == .int(400) && record["token_count"] == .int(400))
        #expect(record["depth"] == .double(0.5) && record["seed"] == .int(11))
        #expect(record["prompt"]?.stringValue == sample.prompt)
        #expect(sample.needle == "The pass key is \(sample.answer). Remember it. \(sample.answer) is the pass key.")
        #expect(sample.prompt.hasPrefix("There is an important info hidden inside a lot of irrelevant text."))
        #expect(sample.prompt.hasSuffix("\nWhat is the pass key? The pass key is"))
    }

    @Test func fitterUsesFewEncoderCalls() throws {
        let tokenizer = MiniBPETokenizer.alice
        let fitter = PromptFitter(tokenizer: tokenizer, filler: .builtinProse())
        var random = EvalRandom(seed: 3)
        var calls: [Int] = []
        for depth in [0.0, 0.3, 0.7, 1.0] {
            let problem = EvalKind.needle.problem(using: &random)
            let fit = try fitter.fit(problem, target: 2000, depth: depth, anchor: FillerText.builtinProse().sentenceStarts[7])
            #expect(fit.tokenCount == 2000)
            calls.append(fit.encodeCalls)
        }
        #expect(calls.allSatisfy { $0 <= 40 }, "encoder calls per prompt: \(calls)")
    }
}
