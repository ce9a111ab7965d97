import Foundation
import ArgumentParser
import YiContext
import YiCore
import YiTokenizer

extension EvalKind: ExpressibleByArgument {}
extension EvalChatTemplate: ExpressibleByArgument {}

/// `yi-prep evalset`: long-context retrieval prompts sized in tokens of the model's tokenizer.
public struct EvalsetCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "evalset",
        abstract: "Build pass-key or needle-in-a-haystack prompts of exactly N tokens (JSONL).",
        discussion: """
        Each prompt encodes to exactly the target length with the given tokenizer (at most \
        \(EvalSetGenerator.maximumShortfall) tokens short when no exact cut exists; the record's \
        token_count says). The needle's depth is swept evenly over [0, 1] across --count samples per \
        length. Records: kind, index, target_length, token_count, depth, measured_depth, haystack_tokens, seed, answer, \
        needle, filler, prompt (and chat with --chat).
        """
    )

    @Option(help: "passkey | needle.")
    public var kind: EvalKind

    @Option(name: .customLong("len"), help: "Comma-separated prompt lengths in tokens, e.g. 8192,16384.")
    public var lengths: String

    @Option(help: "Prompts per length (depths i/(count-1)).")
    public var count: Int = 10

    @Option(help: "Filler text: a .jsonl file (a \"text\" field per line) or a plain text file. Default: built-in text.")
    public var filler: String?

    @Option(help: "Seed for keys, needles and haystack positions.")
    public var seed: UInt64 = 0

    @Option(help: "Write the JSONL here, atomically (default: stdout).")
    public var output: String?

    @Option(help: "Tokenizer model (tokenizer.model).")
    public var tokenizer: String?

    @Option(help: "Wrap each prompt in a chat template, sized so the whole input is the target length: yi (<|im_start|>user ... <|im_end|> then <|im_start|>assistant).")
    public var chat: EvalChatTemplate?

    public init() {}

    public mutating func validate() throws {
        _ = try parsedLengths()
        // A million prompts per length is far more than any eval needs; beyond it is a typo that would run forever.
        guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be in 1...1000000 (got \(count))") }
        guard seed <= UInt64(Int64.max) else { throw ValidationError("--seed must be at most \(Int64.max)") }
    }

    public func run() throws {
        try run(tokenizer: loadTokenizer())
    }

    // MARK: Tokenizer loading — yi-prep's usual search order (--tokenizer, $YI_TOKENIZER, the
    // Hugging Face cache).
    func loadTokenizer() throws -> TextTokenizer {
        let path = try TokenizerLocator.resolve(explicitPath: tokenizer, environment: ProcessInfo.processInfo.environment,
                                                homeDirectory: NSHomeDirectory())
        return try SentencePieceTokenizer(contentsOf: path)
    }

    /// Everything after tokenizer loading; tests call this with their own tokenizer.
    public func run(tokenizer: TextTokenizer) throws {
        let lengths = try parsedLengths()
        let pool: FillerText
        if let filler {
            // The pool is read cyclically; a few times the longest prompt's characters is plenty.
            let limit = max(1 << 18, lengths.max()! * 32)
            let (loaded, report) = try FillerText.load(path: filler, characterLimit: limit)
            if report.skippedLines > 0 {
                ContextCommandOutput.note("warning: \(filler): skipped \(report.skippedLines) lines without a string \"text\" field")
            }
            if report.truncated { ContextCommandOutput.note("filler: read the first \(loaded.count) characters of \(filler)") }
            pool = loaded
        } else {
            pool = kind.defaultFiller
        }
        let generator = EvalSetGenerator(tokenizer: tokenizer, filler: pool, chat: chat)
        let writer = try output.map { try AtomicFileWriter(path: $0) }
        var inexact = 0
        try generator.generate(kind: kind, lengths: lengths, count: count, seed: seed) { sample in
            if sample.tokenCount != sample.targetLength { inexact += 1 }
            let line = JSONWriter.string(sample.jsonValue) + "\n"
            if let writer { try writer.write(line) } else { print(line, terminator: "") }
        }
        try writer?.commit()
        ContextCommandOutput.note("evalset: \(lengths.count * count) \(kind.rawValue) prompts (\(lengths.map(String.init).joined(separator: ", ")) tokens), filler: \(pool.origin)"
            + (inexact > 0 ? "; \(inexact) prompts fall short of their target by ≤ \(EvalSetGenerator.maximumShortfall) tokens" : "; every prompt exactly at its target"))
        if let output { ContextCommandOutput.note("wrote \(output)") }
    }

    func parsedLengths() throws -> [Int] {
        let parts = lengths.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int(String($0.filter { !$0.isWhitespace })) }
        guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--len must be comma-separated positive token counts, e.g. 8192,16384 (got \"\(lengths)\")")
        }
        if let long = values.first(where: { $0 > EvalSetGenerator.maximumTargetLength }) {
            throw ValidationError("--len \(long) is above the largest supported prompt, \(EvalSetGenerator.maximumTargetLength) tokens")
        }
        return values
    }
}
