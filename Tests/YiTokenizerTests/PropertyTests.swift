import Foundation
import PropertyBased
import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// Random texts and bytes: round trips, no crashes, ids in range, and the encoder's shortcuts
/// (segments, the cache) giving exactly what merging the whole text gives.
@Suite struct PropertyTests {
    /// Pieces of text that stress the tokenizer, chosen by a random number: words, space runs,
    /// CJK, emoji, digits, control characters, user-defined and control piece literals, any
    /// scalar of the BMP or beyond, combining marks, odd whitespace, other scripts.
    static func fragment(_ value: UInt32) -> String {
        let payload = value / 16
        func scalar(_ v: UInt32) -> String { String(Character(Unicode.Scalar(v) ?? "?")) }
        switch value % 16 {
        case 0, 1: return word(payload)
        case 2: return String(repeating: " ", count: 1 + Int(payload % 20))
        case 3: return scalar(0x4E00 + payload % 0x5200)
        case 4: return scalar(0x1F300 + payload % 0x300)
        case 5: return String(payload % 100_000)
        case 6: return scalar(payload % 0x20 == 0x1F ? 0x7F : payload % 0x20)
        case 7:
            let pieces = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|startoftext|>", "<h1>", "</p>", "\t\t", "，", "。",
                          "```", "<!--", "-->", "<unk>", "<s>", "</s>", "<0x41>", "<|unused001|>", "---", "０１", "\u{8}", "\r"]
            return pieces[Int(payload) % pieces.count]
        case 8: let v = payload % 0xF800; return scalar(v < 0xD800 ? v : v + 0x800)
        case 9: return scalar(0x10000 + payload % 0x100000)
        case 10: return scalar(0x300 + payload % 0x70)
        case 11: return ["\n", "\r\n", "\u{A0}", "\u{3000}", "\t", "\u{2028}", "\u{200B}", "\u{FEFF}", "\u{FFFD}"][Int(payload) % 9]
        case 12: return scalar([0x600, 0x900, 0xE00, 0xAC00, 0x3040, 0x400][Int(payload) % 6] + payload / 6 % 0x80)
        case 13: return scalar(0xFF01 + payload % 0x5E)  // full-width forms (NFKC folds them)
        case 14: return String(Self.punctuation[Int(payload) % Self.punctuation.count])
        default: return ["the", " the", "ing", "中国", "的", " ", "tion", "ab"][Int(payload) % 8]
        }
    }

    static let punctuation = Array(".,!?;:()[]{}'\"-_/\\|@#$%^&*+=~`<>")

    /// A lowercase word of 1 to 9 letters drawn from the bits of `seed`.
    static func word(_ seed: UInt32) -> String {
        var letters: [Character] = []
        var state = seed
        for _ in 0..<(1 + Int(seed % 9)) {
            state = state &* 1_103_515_245 &+ 12345
            letters.append(Character(Unicode.Scalar(UInt8(97 + (state >> 16) % 26))))
        }
        return String(letters)
    }

    static let texts = Gen<UInt32>.value(in: 0...UInt32.max).array(of: 0...40).map { values in
        values.map(fragment).joined()
    }

    static let bytes = Gen<UInt8>.value(in: 0...255).array(of: 0...64)

    static func ids(_ text: String) -> String { text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ") }

    /// Yi keeps every character and space as it is (identity normalization, no dummy prefix),
    /// so decoding gives the text back byte for byte, except for U+2581 itself, which stands
    /// for a space in pieces and so decodes as " ".
    @Test func yiDecodesWhatItEncodes() async throws {
        let encoder = SentencePieceEncoder(model: try ReferenceData.yi)
        await propertyCheck(count: 300, input: Self.texts) { text in
            let text = text.replacingOccurrences(of: "\u{2581}", with: "_")
            let decoded = encoder.decode(encoder.encode(text))
            #expect(Array(decoded.utf8) == Array(text.utf8), "\(Self.ids(text))")
        }
    }

    /// Segments, cache and run cuts are shortcuts: the ids must equal merging the whole text
    /// at once, as SentencePiece does, for every model.
    @Test(arguments: ["yi", "llama2", "zh-bpe-nfkc"])
    func shortcutsGiveTheSameIdsAsWholeTextMerging(_ name: String) async throws {
        let model = try ReferenceData.model(Fixtures.requireShared("tokenizers/\(name)/tokenizer.model"))
        let cached = SentencePieceEncoder(model: model)
        let uncached = SentencePieceEncoder(model: model, cacheSegments: false)
        let careful = SentencePieceEncoder(model: model, cacheSegments: true, mergeWholeTexts: false, walkEveryCharacter: true)
        let whole = SentencePieceEncoder(model: model, cacheSegments: false, mergeWholeTexts: true)
        await propertyCheck(count: 200, input: Self.texts) { text in
            let expected = whole.encode(text)
            #expect(cached.encode(text) == expected, "\(name): \(Self.ids(text))")
            #expect(uncached.encode(text) == expected, "\(name): \(Self.ids(text))")
            #expect(careful.encode(text) == expected, "\(name): \(Self.ids(text))")
            #expect(expected.allSatisfy { Int($0) < model.vocabularySize })
        }
    }

    /// Any bytes at all: no crash, ids in range, the same ids whole-text merging gives, and
    /// never more malformed bytes than bytes.
    @Test(arguments: ["yi", "llama2", "zh-bpe-nfkc"])
    func anyBytesEncode(_ name: String) async throws {
        let model = try ReferenceData.model(Fixtures.requireShared("tokenizers/\(name)/tokenizer.model"))
        let encoder = SentencePieceEncoder(model: model)
        let whole = SentencePieceEncoder(model: model, cacheSegments: false, mergeWholeTexts: true)
        await propertyCheck(count: 300, input: Self.bytes) { bytes in
            var ids: [TokenID] = []
            var reference: [TokenID] = []
            let stats = bytes.withUnsafeBufferPointer { encoder.encode(utf8: $0, into: &ids) }
            _ = bytes.withUnsafeBufferPointer { whole.encode(utf8: $0, into: &reference) }
            #expect(ids == reference, "\(name): \(bytes)")
            #expect(ids.allSatisfy { Int($0) < model.vocabularySize })
            #expect(stats.malformedUTF8Bytes <= bytes.count && stats.tokens == ids.count)
            _ = encoder.decode(ids)
        }
    }

    /// Decoding any ids in range works (and ids out of range do not crash).
    @Test func anyIdsDecode() async throws {
        let model = try ReferenceData.yi
        let encoder = SentencePieceEncoder(model: model)
        await propertyCheck(count: 200, input: Gen<UInt32>.value(in: 0...64_010).array(of: 0...30)) { ids in
            let text = encoder.decode(ids)
            #expect(text.utf8.count >= 0)
        }
    }
}
