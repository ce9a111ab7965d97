import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// SentencePiece replaces each byte that starts no well-formed character with U+FFFD, one byte
/// at a time (not by maximal subparts); the encoder counts those bytes.
@Suite struct MalformedUTF8Tests {
    /// Byte strings and the number of bytes SentencePiece's rule replaces (derived by hand from
    /// util.cc `DecodeUTF8`: a lead byte whose sequence is cut short, overlong, a surrogate or
    /// beyond U+10FFFF is one malformed byte, and so is every stray continuation byte).
    static let cases: [([UInt8], Int)] = [
        ([0x61, 0x62], 0),
        ([0xFF], 1),
        ([0x80, 0x80], 2),
        ([0xC3], 1),
        ([0xC3, 0x28], 1),
        ([0xE2, 0x82], 2),              // cut short: both bytes are replaced
        ([0xE2, 0x82, 0x28], 2),
        ([0xF0, 0x9F, 0x98], 3),
        ([0xF0, 0x9F, 0x98, 0x80], 0),  // U+1F600
        ([0xED, 0xB0, 0x80], 3),        // a surrogate
        ([0xC0, 0xAF], 2),              // overlong '/'
        ([0xF4, 0x90, 0x80, 0x80], 4),  // above U+10FFFF
        ([0xEF, 0xBF, 0xBD], 0),        // U+FFFD itself is well-formed
        ([0xE4, 0xB8, 0xAD, 0xE6], 1),  // 中 then a cut-short lead
    ]

    @Test func malformedBytesAreCounted() throws {
        let encoder = SentencePieceEncoder(model: try ReferenceData.yi)
        for (bytes, expected) in Self.cases {
            var ids: [TokenID] = []
            let stats = bytes.withUnsafeBufferPointer { encoder.encode(utf8: $0, into: &ids) }
            #expect(stats.malformedUTF8Bytes == expected, "\(bytes)")
            #expect(stats.tokens == ids.count)
        }
    }

    /// Each malformed byte is encoded exactly as a U+FFFD character in its place would be, in
    /// models without a charsmap. (With one, a real U+FFFD goes through the charsmap, which
    /// NMT-NFKC deletes, while the U+FFFD of a malformed byte does not: the golden files cover
    /// that case against SentencePiece.)
    @Test(arguments: ["yi", "llama2"])
    func malformedByteEncodesAsReplacementCharacter(_ name: String) throws {
        let model = try ReferenceData.model(Fixtures.requireShared("tokenizers/\(name)/tokenizer.model"))
        let encoder = SentencePieceEncoder(model: model)
        let samples: [([UInt8], String)] = [
            ([0xFF, 0xFE], "\u{FFFD}\u{FFFD}"),
            ([0x61, 0xE2, 0x82, 0x20, 0x62], "a\u{FFFD}\u{FFFD} b"),
            ([0xE4, 0xB8, 0xAD, 0x80, 0xE6, 0x96, 0x87], "中\u{FFFD}文"),
        ]
        for (bytes, text) in samples {
            var ids: [TokenID] = []
            bytes.withUnsafeBufferPointer { _ = encoder.encode(utf8: $0, into: &ids) }
            #expect(ids == encoder.encode(text), "\(name) \(bytes)")
        }
    }

    @Test func stringAndByteEntryPointsAgreeOnWellFormedText() throws {
        let encoder = SentencePieceEncoder(model: try ReferenceData.yi)
        for text in ["héllo wörld", "中文 text", "  spaced  out  ", "😀\t\n"] {
            var ids: [TokenID] = []
            let stats = Array(text.utf8).withUnsafeBufferPointer { encoder.encode(utf8: $0, into: &ids) }
            #expect(ids == encoder.encode(text))
            #expect(stats.malformedUTF8Bytes == 0)
        }
    }
}
