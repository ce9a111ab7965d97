import ArgumentParser
import YiContext
import YiCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RopeMethod: ExpressibleByArgument {}

/// `yi-prep rope`: patch a Hugging Face config.json for a longer context.
public struct RopeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rope",
        abstract: "Patch a Hugging Face config.json's RoPE settings for a longer context (linear, ntk, dynamic, yarn).",
        discussion: """
        Writes the patched config to --output (atomically) or stdout; explains each choice and warns \
        about common misuse on stderr. Unrelated keys keep their values and order.
        """
    )

    @Option(help: "The model's config.json.")
    public var config: String

    @Option(name: .customLong("target-len"), help: "The context length to extend to, in tokens (e.g. 16384).")
    public var targetLength: Int

    @Option(help: "linear | ntk | dynamic | yarn.")
    public var method: RopeMethod

    @Option(help: "Write the patched config here (default: stdout).")
    public var output: String?

    @Option(name: .customLong("original-len"), help: "The pre-trained length, if the config was already extended.")
    public var originalLength: Int?

    @Option(name: .customLong("dynamic-factor"), help: "transformers' dynamic factor (default 1.0; not the extension ratio).")
    public var dynamicFactor: Double?

    @Option(name: .customLong("beta-fast"), help: "YaRN beta_fast (transformers' default 32).")
    public var betaFast: Double?

    @Option(name: .customLong("beta-slow"), help: "YaRN beta_slow (transformers' default 1).")
    public var betaSlow: Double?

    @Option(name: .customLong("attention-factor"), help: "YaRN attention_factor (default 0.1·ln(factor) + 1).")
    public var attentionFactor: Double?

    public init() {}

    public func run() throws {
        let options = RopeOptions(originalLength: originalLength, dynamicFactor: dynamicFactor,
                                  yarnBetaFast: betaFast, yarnBetaSlow: betaSlow, yarnAttentionFactor: attentionFactor)
        let (text, result) = try RopeConfigFile.patch(path: config, targetLength: targetLength, method: method, options: options)
        for line in result.explanation { ContextCommandOutput.note(line) }
        for warning in result.warnings { ContextCommandOutput.note("warning: \(warning)") }
        if let output {
            try AtomicFileWriter.write(text, to: output)
            ContextCommandOutput.note("wrote \(output)")
        } else {
            print(text, terminator: "")
        }
    }
}

/// Explanations and progress of the context commands go to stderr, so stdout stays data.
enum ContextCommandOutput {
    static func note(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, stderr) }
    }
}
