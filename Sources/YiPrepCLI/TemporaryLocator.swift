// TEMPORARY until YiTokenizer's TokenizerLocator lands: explicit path or $YI_TOKENIZER only.
import YiCore
enum TokenizerLocator {
    static func resolve(explicitPath: String?, environment: [String: String], homeDirectory: String) throws -> String {
        if let explicitPath { return explicitPath }
        if let env = environment["YI_TOKENIZER"], !env.isEmpty { return env }
        throw YiError(.tokenizer, "no tokenizer: pass --tokenizer PATH or set YI_TOKENIZER")
    }
}
