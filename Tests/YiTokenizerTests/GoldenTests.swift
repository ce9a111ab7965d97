import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// The committed golden set (Tests/YiTokenizerTests/Golden, made by tools/golden/generate_golden.py
/// with SentencePiece 0.2.3): hard cases and real-text snippets, and malformed UTF-8 byte strings.
@Suite struct GoldenTests {
    static let models = ["yi", "llama2", "zh-bpe-nfkc"]

    struct TextCase: Decodable {
        var text: String
        var ids: [TokenID]
        var decoded: String
    }

    struct BytesCase: Decodable {
        var bytes_hex: String
        var ids: [TokenID]
        var decoded: String

        var bytes: [UInt8] {
            var result: [UInt8] = []
            var index = bytes_hex.startIndex
            while index < bytes_hex.endIndex {
                let next = bytes_hex.index(index, offsetBy: 2)
                result.append(UInt8(bytes_hex[index..<next], radix: 16)!)
                index = next
            }
            return result
        }
    }

    static func golden<T: Decodable>(_ file: String) throws -> [T] {
        try ReferenceData.jsonLines(file: Fixtures.repoPath("Tests/YiTokenizerTests/Golden/\(file)"))
    }

    static func model(_ name: String) throws -> SentencePieceModel {
        try ReferenceData.model(Fixtures.requireShared("tokenizers/\(name)/tokenizer.model"))
    }

    @Test(arguments: models)
    func textsEncodeAndDecodeLikeSentencePiece(_ name: String) throws {
        let cases: [TextCase] = try Self.golden("\(name).golden.jsonl")
        #expect(cases.count > 150)
        let encoder = SentencePieceEncoder(model: try Self.model(name))
        var differing = 0
        for (line, golden) in cases.enumerated() {
            let ids = encoder.encode(golden.text)
            if ids != golden.ids {
                differing += 1
                Issue.record("\(name) line \(line + 1): \(golden.text.debugDescription.prefix(80)) -> \(ids.prefix(24)) expected \(golden.ids.prefix(24))")
            }
            let decoded = encoder.decode(golden.ids)
            #expect(decoded == golden.decoded, "\(name) line \(line + 1): decode gives \(decoded.debugDescription.prefix(80))")
        }
        #expect(differing == 0)
    }

    @Test(arguments: models)
    func malformedUTF8EncodesLikeSentencePiece(_ name: String) throws {
        let cases: [BytesCase] = try Self.golden("\(name).malformed.golden.jsonl")
        #expect(cases.count > 20)
        let encoder = SentencePieceEncoder(model: try Self.model(name))
        for golden in cases {
            var ids: [TokenID] = []
            golden.bytes.withUnsafeBufferPointer { _ = encoder.encode(utf8: $0, into: &ids) }
            #expect(ids == golden.ids, "\(name) bytes \(golden.bytes_hex)")
            #expect(encoder.decode(golden.ids) == golden.decoded, "\(name) bytes \(golden.bytes_hex): decode")
        }
    }
}
