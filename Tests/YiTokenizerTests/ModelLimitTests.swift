import Foundation
import Testing
import YiCore
@testable import YiTokenizer
import YiTestSupport

/// A model file with absurd sizes (docs/reliability.md, "Limits"): each refused with a tokenizer
/// error (exit 6) that says what is wrong, before any large allocation.
@Suite struct ModelLimitTests {
    let bpe: [Int: CraftedProto.Value] = [3: .int(2)]

    /// A 300 MB file (sparse: costs no disk) is refused from its size, without reading it.
    @Test func aFileOverTheSizeLimitIsNotRead() throws {
        #expect(maximumModelFileBytes == 256 << 20)
        let dir = TemporaryDirectory()
        let path = dir.file("huge.model")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 300_000_000) == 0)
        do {
            _ = try SentencePieceModel(contentsOf: path)
            Issue.record("a 300 MB file loaded")
        } catch let error as YiError {
            #expect(error.code == .tokenizer && error.context.path == path)
            #expect(error.message.contains("300000000 bytes"), "\(error.message)")
        }
    }

    /// A pipe or device has no size up front: reading stops at the limit.
    @Test func anEndlessStreamStopsAtTheLimit() throws {
        do {
            _ = try readWholeFile("/dev/zero", maximumBytes: 3 << 20)
            Issue.record("/dev/zero read to the end")
        } catch let error as YiError {
            #expect(error.message.contains("more than the \(3 << 20)"), "\(error.message)")
        }
    }

    /// A length prefix claiming 2^62 bytes, a vocabulary of 2^20 pieces, a piece of 8,000 bytes.
    @Test func absurdSizesInsideTheFileAreRefused() throws {
        let absurdLength = CraftedProto.varint(1 << 3 | 2) + CraftedProto.varint(1 << 62) + [0x41]
        let claimed = try #require(ModelLoadingTests.loadError(absurdLength))
        #expect(claimed.message.contains("claims \(UInt64(1) << 62) bytes"), "\(claimed.message)")

        let tooMany = CraftedProto.model(pieces: [("<unk>", 0, 2)] + (1..<(1 << 20)).map { ("p\($0)", -1, 1) }, trainer: bpe)
        #expect(ModelLoadingTests.loadError(tooMany)?.message.contains("too many pieces (1048576)") == true)

        let longPiece = String(repeating: "x", count: 8_000)
        #expect(ModelLoadingTests.loadError(CraftedProto.model(pieces: [("<unk>", 0, 2), (longPiece, 0, 1)], trainer: bpe))?
            .message.contains("too long (8000 bytes)") == true)
    }

    /// `vocab_size` in the trainer spec is informational: an absurd value does not matter, the
    /// pieces decide the vocabulary (as in SentencePiece).
    @Test func anAbsurdVocabSizeFieldIsIgnored() throws {
        var trainer = bpe
        trainer[4] = .int(Int(Int32.max))
        let model = try SentencePieceModel(bytes: CraftedProto.model(pieces: [("<unk>", 0, 2), ("a", 0, 1)], trainer: trainer))
        #expect(model.vocabularySize == 2)
    }
}
