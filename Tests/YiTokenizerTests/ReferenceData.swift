import Foundation
import YiIO
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// Reading the reference data: shared tokenizer models, JSONL fixtures and zstd-compressed
/// corpora with the ids SentencePiece gave.
enum ReferenceData {

    /// replaces it once that module has landed.
    static func decompressZstd(_ path: String) throws -> Data {
        Data(try openByteStream(path: path, compression: .zstd).readAll())
    }

    /// Decodes each non-empty line of a JSONL document. (Foundation's JSONDecoder, not
    /// JSONSerialization: the latter silently drops a raw U+FEFF inside strings on Linux.)
    static func jsonLines<T: Decodable>(_ data: Data, as type: T.Type = T.self) throws -> [T] {
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }.map {
            try decoder.decode(T.self, from: Data($0))
        }
    }

    static func jsonLines<T: Decodable>(file path: String, as type: T.Type = T.self) throws -> [T] {
        try jsonLines(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A fixture line: text and the reference ids.
    struct Case: Decodable {
        var text: String
        var ids: [TokenID]
    }

    /// `{"text", "ids", ...}` lines.
    static func cases(file path: String) throws -> [Case] {
        try jsonLines(file: path)
    }

    struct CorpusDocument: Decodable {
        var text: String
        var lang: String
    }

    /// The mixed-en-zh-v1 corpus: its documents and languages.
    static func mixedCorpus() throws -> [CorpusDocument] {
        try jsonLines(decompressZstd(Fixtures.requireShared("corpora/tokenizer-reference/mixed-en-zh-v1.jsonl.zst")))
    }

    /// Reference ids for the mixed corpus (`yi` or `llama2`).
    static func mixedCorpusIDs(_ model: String) throws -> [[TokenID]] {
        try jsonLines(decompressZstd(Fixtures.requireShared("corpora/tokenizer-reference/mixed-en-zh-v1.\(model)-ids.jsonl.zst")))
    }

    nonisolated(unsafe) private static var models: [String: SentencePieceModel] = [:]
    private static let lock = NSLock()

    /// Shared models are loaded once per test process.
    static func model(_ path: String) throws -> SentencePieceModel {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[path] { return model }
        let model = try SentencePieceModel(contentsOf: path)
        models[path] = model
        return model
    }

    static var yi: SentencePieceModel { get throws { try model(Fixtures.requireShared("tokenizers/yi/tokenizer.model")) } }
    static var llama2: SentencePieceModel { get throws { try model(Fixtures.requireShared("tokenizers/llama2/tokenizer.model")) } }
    static var nfkc: SentencePieceModel { get throws { try model(Fixtures.requireShared("tokenizers/zh-bpe-nfkc/tokenizer.model")) } }
}
