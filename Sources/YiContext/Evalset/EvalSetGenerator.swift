import YiCore

/// One evaluation prompt.
public struct EvalSample: Sendable, Equatable {
    public var kind: EvalKind
    /// Position within its length (0..<count); the depth sweep runs over it.
    public var index: Int
    public var targetLength: Int
    /// `tokenizer.encode(prompt).count` (no BOS/EOS): equal to `targetLength`, or at most
    /// `EvalSetGenerator.maximumShortfall` below it when no exact cut exists.
    public var tokenCount: Int
    /// Requested depth of the needle in the haystack, evenly swept over [0, 1].
    public var depth: Double
    /// Depth actually reached, in tokens: haystack tokens before the needle / all haystack tokens.
    public var measuredDepth: Double
    /// Tokens of filler in the prompt (token_count minus the template: instructions, needle, question).
    public var haystackTokens: Int
    public var seed: UInt64
    public var answer: String
    /// The hidden sentence (contains the answer; the prompt contains it exactly once).
    public var needle: String
    public var prompt: String
    /// Where the haystack text came from.
    public var filler: String
    /// The chat template the prompt is wrapped in (`--chat`), nil for a plain prompt.
    public var chat: EvalChatTemplate? = nil

    /// One JSONL record; `prompt` last so the metadata stays readable with `head -c`.
    public var jsonValue: JSONValue {
        // `chat` only when set, so plain evalsets stay byte-identical to earlier versions.
        .object((chat.map { [("chat", JSONValue.string($0.rawValue))] } ?? []) + [
            ("kind", .string(kind.rawValue)), ("index", .int(Int64(index))),
            ("target_length", .int(Int64(targetLength))), ("token_count", .int(Int64(tokenCount))),
            ("depth", .double(depth)), ("measured_depth", .double((measuredDepth * 10_000).rounded() / 10_000)),
            ("haystack_tokens", .int(Int64(haystackTokens))),
            ("seed", .int(Int64(seed))), ("answer", .string(answer)), ("needle", .string(needle)),
            ("filler", .string(filler)), ("prompt", .string(prompt)),
        ])
    }
}

/// Builds pass-key and needle-in-a-haystack prompts sized in tokens of the given tokenizer.
///
/// Deterministic: sample `i` of length `L` depends only on (seed, kind, L, i), the filler and the
/// tokenizer. Depth of sample `i` of `count` is `i / (count - 1)` (0.5 when count is 1).
public struct EvalSetGenerator: Sendable {
    /// The most tokens a prompt may fall short of its target (see `PromptFitter`).
    public static let maximumShortfall = PromptFitter.maximumShortfall
    /// The longest prompt: 16 M tokens, far beyond any context window trained today, and small
    /// enough that its filler fits in memory and its arithmetic cannot overflow.
    public static let maximumTargetLength = 1 << 24
    /// Fresh problems (new key or needle, new anchor) tried when the filler contains the answer.
    static let maximumAttempts = 64
    /// Anchors tried when the count jumps over the target (byte-fallback runs) before settling.
    static let maximumInexactFits = 4

    public let tokenizer: TextTokenizer
    public let filler: FillerText
    /// Wrap every prompt in this chat template (sized with it: the whole input is the target).
    public var chat: EvalChatTemplate?

    public init(tokenizer: TextTokenizer, filler: FillerText, chat: EvalChatTemplate? = nil) {
        self.tokenizer = tokenizer
        self.filler = filler
        self.chat = chat
    }

    public static func depth(index: Int, count: Int) -> Double {
        count <= 1 ? 0.5 : Double(index) / Double(count - 1)
    }

    public func sample(kind: EvalKind, targetLength: Int, index: Int, count: Int, seed: UInt64) throws -> EvalSample {
        guard targetLength > 0 else { throw YiError(.usage, "lengths must be positive, got \(targetLength)") }
        guard seed <= UInt64(Int64.max) else { throw YiError(.usage, "--seed must be at most \(Int64.max)") }
        let kindStream = UInt64(EvalKind.allCases.firstIndex(of: kind)!)
        var random = EvalRandom(seed: seed, streams: [kindStream, UInt64(targetLength), UInt64(index)])
        let depth = Self.depth(index: index, count: count)
        let fitter = PromptFitter(tokenizer: tokenizer, filler: filler)
        func sample(_ problem: EvalProblem, _ fit: PromptFitter.Fit) -> EvalSample {
            let haystackTokens = fit.tokenCount - fit.templateTokens
            let measured = min(1, max(0, Double(fit.needleTokenOffset - fit.headerTokens) / Double(max(1, haystackTokens))))
            return EvalSample(kind: kind, index: index, targetLength: targetLength, tokenCount: fit.tokenCount,
                              depth: depth, measuredDepth: measured, haystackTokens: haystackTokens, seed: seed,
                              answer: problem.answer, needle: problem.needle, prompt: fit.prompt, filler: filler.origin,
                              chat: chat)
        }
        // Each attempt draws a new problem and anchor. Redraw when the filler contains the answer;
        // when no exact cut exists at an anchor, try a few others and keep the closest prompt.
        var closest: (EvalProblem, PromptFitter.Fit)?
        var inexactFits = 0
        for _ in 0..<Self.maximumAttempts {
            let drawn = kind.problem(using: &random)
            let problem = chat.map { $0.wrap(drawn) } ?? drawn
            let anchor = filler.sentenceStarts[random.next(below: filler.sentenceStarts.count)]
            if ScalarSearch.count(Array(problem.answer.unicodeScalars), in: filler.scalars) > 0 { continue }
            let fit = try fitter.fit(problem, target: targetLength, depth: depth, anchor: anchor)
            guard answerIsUnique(problem, in: fit.prompt) else { continue }
            if fit.tokenCount == targetLength { return sample(problem, fit) }
            if closest.map({ fit.tokenCount > $0.1.tokenCount }) ?? true { closest = (problem, fit) }
            inexactFits += 1
            if inexactFits == Self.maximumInexactFits { break }
        }
        if let (problem, fit) = closest { return sample(problem, fit) }
        throw YiError(.usage, "could not build a \(kind.rawValue) prompt whose answer occurs only in its needle: the filler text (\(filler.origin)) keeps containing the drawn answers")
    }

    /// Every sample, lengths in the given order, then index order.
    public func generate(kind: EvalKind, lengths: [Int], count: Int, seed: UInt64,
                         _ body: (EvalSample) throws -> Void) throws {
        guard count > 0 else { throw YiError(.usage, "--count must be positive, got \(count)") }
        if let long = lengths.first(where: { $0 > Self.maximumTargetLength }) {
            throw YiError(.usage, "prompt length \(long) is above the largest supported, \(Self.maximumTargetLength) tokens")
        }
        for length in lengths {
            for index in 0..<count {
                try body(sample(kind: kind, targetLength: length, index: index, count: count, seed: seed))
            }
        }
    }

    /// The needle occurs once and the answer occurs nowhere outside it.
    func answerIsUnique(_ problem: EvalProblem, in prompt: String) -> Bool {
        let promptScalars = Array(prompt.unicodeScalars)
        let answer = Array(problem.answer.unicodeScalars)
        return ScalarSearch.count(Array(problem.needle.unicodeScalars), in: promptScalars) == 1
            && ScalarSearch.count(answer, in: promptScalars) == ScalarSearch.count(answer, in: Array(problem.needle.unicodeScalars))
    }
}
