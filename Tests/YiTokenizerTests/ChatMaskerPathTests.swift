import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// `ChatMasker` has two ways to find each token's bytes: `measured` (lengths from a per-id
/// table, used unless the text holds a literal `▁`) and `traced` (each piece matched against
/// the text). Both must give the same mask, trained count and turn ends for any layout, on real
/// text: ranges that start or end inside a token, on a token boundary, empty ones, adjacent
/// ones, and turn ends that fall inside tokens.
@Suite struct ChatMaskerPathTests {
    @Test func measuredAndTracedAgreeOnRandomLayouts() throws {
        let model = try SentencePieceModel(contentsOf: Fixtures.requireShared("tokenizers/yi/tokenizer.model"))
        let masker = try ChatMasker(model: model)
        let encoder = SentencePieceEncoder(model: model)
        let corpus = try String(contentsOfFile: Fixtures.requireShared("corpora/jsonl/corpus.jsonl"), encoding: .utf8)
        let texts = corpus.split(separator: "\n").prefix(40).compactMap { line -> String? in
            guard case .object(let fields)? = try? JSONParser.parse(String(line)),
                  let text = fields.first(where: { $0.0 == "text" })?.1.stringValue else { return nil }
            return String(text.prefix(3000))
        } + ["", "a", "<|im_start|>user\n你好，世界<|im_end|>\n<|im_start|>assistant\n  two  spaces\n\n<|im_end|>\n"]
        var random = SplitMix64(seed: 17)
        var checked = 0, trainedSomewhere = 0
        for text in texts where !text.contains("\u{2581}") {
            let ids = encoder.encode(text)
            let count = text.utf8.count
            for _ in 0..<25 {
                // Sorted cut points make ascending, disjoint ranges (some empty, some adjacent).
                let cuts = (0..<Int.random(in: 0...8, using: &random) * 2).map { _ in Int.random(in: 0...count, using: &random) }.sorted()
                let ranges = stride(from: 0, to: cuts.count, by: 2).map { cuts[$0]..<cuts[$0 + 1] }
                let ends = (0..<Int.random(in: 0...5, using: &random)).map { _ in Int.random(in: 0...count, using: &random) }.sorted() + [count]
                let layout = ChatLayout(trainedRanges: ranges, turns: ends.map { .init(end: $0, isTrained: true) })
                var utf8 = Array(text.utf8)
                let (measured, traced) = utf8.withUnsafeMutableBufferPointer { bytes in
                    ids.withUnsafeBufferPointer { ids in
                        (masker.measured(ids: ids, text: UnsafeBufferPointer(bytes), layout: layout),
                         masker.traced(ids: ids, text: UnsafeBufferPointer(bytes), layout: layout))
                    }
                }
                #expect(measured != nil && measured == traced,
                        "\(ranges) \(ends): turn ends \(measured?.turnTokenEnds ?? []) vs \(traced?.turnTokenEnds ?? []), mask differs at \(zip(measured?.mask ?? [], traced?.mask ?? []).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset).prefix(5)), trained \(measured?.trainedTokens ?? -1) vs \(traced?.trainedTokens ?? -1)")
                #expect(measured?.trainedTokens == measured?.mask.reduce(0) { $0 + Int($1) })
                if (measured?.trainedTokens ?? 0) > 0 { trainedSomewhere += 1 }
                checked += 1
            }
        }
        #expect(checked >= 500)
        #expect(trainedSomewhere >= 100)
    }
}
