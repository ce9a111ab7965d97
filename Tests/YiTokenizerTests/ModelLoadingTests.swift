import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// What loading reads from real models, and the errors for broken or unsupported ones.
@Suite struct ModelLoadingTests {
    @Test func yiModelFacts() throws {
        let yi = try ReferenceData.yi
        #expect(yi.vocabularySize == 64000)
        #expect(yi.unkID == 0 && yi.bosID == 1 && yi.eosID == 2 && yi.padID == nil)
        #expect(yi.piece(for: 1) == "<|startoftext|>" && yi.piece(for: 2) == "<|endoftext|>")
        #expect(yi.id(for: "<|im_start|>") == 6)
        #expect(yi.kind(of: 6) == .userDefined && yi.kind(of: 3) == .control && yi.kind(of: 305) == .byte)
        #expect(yi.id(for: "<0x00>") == 305)
        #expect(yi.piece(for: 64000) == nil && yi.id(for: "no such piece ✗✗") == nil)
        let flags = yi.flags
        #expect(flags.modelType == "BPE" && flags.normalizerName == "identity" && !flags.hasPrecompiledCharsmap)
        #expect(!flags.addDummyPrefix && !flags.removeExtraWhitespaces && flags.escapeWhitespaces)
        #expect(flags.byteFallback && !flags.treatWhitespaceAsSuffix && flags.segmentedEncoding)
        #expect(flags.normalPieces == 63439 && flags.userDefinedPieces == 294 && flags.bytePieces == 256)
        #expect(flags.controlPieces == 10 && flags.unusedPieces == 0)
        #expect(yi.sha256 == "386c49cf943d71aa110361135338c50e38beeff0a66593480421f37b319e1a39")  // ../shared/tokenizers/yi/SOURCE.md
        let manifest = yi.manifestJSON
        #expect(manifest["vocab_size"] == .int(64000) && manifest["eos_id"] == .int(2) && manifest["pad_id"] == .null)
        #expect(manifest["add_dummy_prefix"] == .bool(false))
    }

    @Test func otherModelsKeepTheirOwnFlags() throws {
        let llama = try ReferenceData.llama2
        #expect(llama.vocabularySize == 32000 && llama.bosID == 1 && llama.eosID == 2 && llama.unkID == 0)
        #expect(llama.flags.addDummyPrefix && llama.flags.userDefinedPieces == 0 && llama.id(for: "<0x0A>") == 13)
        let nfkc = try ReferenceData.nfkc
        #expect(nfkc.flags.normalizerName == "nmt_nfkc" && nfkc.flags.hasPrecompiledCharsmap)
        #expect(nfkc.flags.removeExtraWhitespaces && !nfkc.flags.byteFallback && nfkc.flags.bytePieces == 0)
        #expect(SentencePieceEncoder(model: nfkc).encode("  ") == [])
    }

    @Test func loadsFromBytesAndPathAlike() throws {
        let path = Fixtures.requireShared("tokenizers/llama2/tokenizer.model")
        let fromPath = try SentencePieceModel(contentsOf: path)
        let fromBytes = try SentencePieceModel(bytes: fromPath.fileBytes)
        #expect(fromBytes.path == nil && fromPath.path == path)
        let text = "Loading twice gives the same tokenizer."
        #expect(SentencePieceEncoder(model: fromPath).encode(text) == SentencePieceEncoder(model: fromBytes).encode(text))
    }

    // MARK: Errors

    static func loadError(_ bytes: [UInt8]) -> YiError? {
        do {
            _ = try SentencePieceModel(bytes: bytes)
            return nil
        } catch let error as YiError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func emptyAndMissingFilesAreClearErrors() throws {
        #expect(Self.loadError([])?.message.contains("empty") == true)
        let missing = "/nonexistent/dir/tokenizer.model"
        #expect(throws: YiError.self) { try SentencePieceModel(contentsOf: missing) }
        do {
            _ = try SentencePieceModel(contentsOf: missing)
        } catch let error as YiError {
            #expect(error.code == .tokenizer && error.context.path == missing)
        }
        let folder = TemporaryDirectory()
        do {
            _ = try SentencePieceModel(contentsOf: folder.path)
            Issue.record("a directory loaded as a model")
        } catch let error as YiError {
            #expect(error.message.contains("directory"))
        }
    }

    /// Every prefix of a real model is refused with a tokenizer error, never a crash.
    @Test func truncatedModelsAreRefused() throws {
        let bytes = try ReferenceData.yi.fileBytes
        for length in [1, 2, 7, 100, 1000, 4096, 100_003, bytes.count / 2, bytes.count - 17, bytes.count - 1] {
            let error = try #require(Self.loadError(Array(bytes.prefix(length))), "prefix of \(length) bytes loaded")
            #expect(error.code == .tokenizer)
            #expect(error.message.contains("truncated") || error.message.contains("corrupt"), "\(length): \(error.message)")
        }
    }

    @Test func garbageIsRefused() throws {
        var generator = SystemRandomNumberGenerator()
        for size in [1, 3, 16, 1000, 65536] {
            let garbage = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let error = try #require(Self.loadError(garbage), "\(size) random bytes loaded as a model")
            #expect(error.code == .tokenizer)
        }
        let text = Array("this is a text file, not a model\n".utf8)
        #expect(Self.loadError(text) != nil)
    }

    @Test func unsupportedModelTypesSayWhy() throws {
        for (type, name) in [(1, "UNIGRAM"), (3, "WORD"), (4, "CHAR")] {
            let bytes = CraftedProto.model(pieces: [("<unk>", 0, 2), ("a", -1, 1)], trainer: [3: .int(type)])
            let error = try #require(Self.loadError(bytes))
            #expect(error.message.contains("unsupported model type \(name)"), "\(error.message)")
        }
        // No model_type at all means UNIGRAM (the proto default), as SentencePiece reads it.
        let unset = CraftedProto.model(pieces: [("<unk>", 0, 2), ("a", -1, 1)], trainer: [4: .int(2)])
        #expect(Self.loadError(unset)?.message.contains("UNIGRAM") == true)
    }

    @Test func brokenVocabulariesSayWhatIsWrong() throws {
        let bpe: [Int: CraftedProto.Value] = [3: .int(2)]
        func error(_ pieces: [(String, Float, Int)], _ trainer: [Int: CraftedProto.Value] = bpe) -> String {
            Self.loadError(CraftedProto.model(pieces: pieces, trainer: trainer))?.message ?? "(loaded)"
        }
        #expect(error([("a", 0, 1), ("b", 0, 1)]).contains("no UNKNOWN piece"))
        #expect(error([("<unk>", 0, 2), ("a", 0, 1), ("a", 0, 1)]).contains("already defined"))
        #expect(error([("<unk>", 0, 2), ("<unk2>", 0, 2)]).contains("defined twice"))
        #expect(error([("<unk>", 0, 2), ("<0x41>", 0, 6)]).contains("byte_fallback is false"))
        var withFallback = bpe
        withFallback[35] = .int(1)
        #expect(error([("<unk>", 0, 2), ("<0x41>", 0, 6)], withFallback).contains("256 byte pieces"))
        #expect(error([("<unk>", 0, 2), ("<0x4g>", 0, 6)], withFallback).contains("invalid"))
        #expect(error([("<unk>", 0, 2), ("", 0, 1)]).contains("empty"))
        #expect(error([("<unk>", 0, 2), ("a\u{0}b", 0, 1)]).contains("NUL"))
        #expect(error([]).contains("no pieces"))
        let noTrainer = CraftedProto.model(pieces: [("<unk>", 0, 2)], trainer: nil)
        #expect(Self.loadError(noTrainer)?.message.contains("no trainer_spec") == true)
        var badCharsmap = CraftedProto.model(pieces: [("<unk>", 0, 2), ("a", 0, 1)], trainer: bpe)
        badCharsmap += CraftedProto.bytesField(3, CraftedProto.bytesField(2, [8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0]))
        #expect(Self.loadError(badCharsmap)?.message.contains("precompiled_charsmap") == true)
    }

    @Test func minimalHandMadeModelEncodes() throws {
        // <unk>=0, a=1, b=2, ab=3: "ab" merges; "c" is unknown and a run of unknowns is one <unk>.
        let bytes = CraftedProto.model(pieces: [("<unk>", 0, 2), ("a", -2, 1), ("b", -3, 1), ("ab", -1, 1)],
                                       trainer: [3: .int(2)], normalizer: [3: .int(0), 4: .int(0)])
        let model = try SentencePieceModel(bytes: bytes)
        let encoder = SentencePieceEncoder(model: model)
        #expect(encoder.encode("ab") == [3])
        #expect(encoder.encode("ba") == [2, 1])
        #expect(encoder.encode("abccab") == [3, 0, 3])
        #expect(encoder.decode([3, 0, 3]) == "ab ⁇ ab")
    }
}

/// Writes protobuf bytes for hand-made `ModelProto`s in tests.
enum CraftedProto {
    enum Value {
        case int(Int)
        case bytes([UInt8])
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat {
            let byte = UInt8(v & 0x7F)
            v >>= 7
            out.append(v == 0 ? byte : byte | 0x80)
        } while v != 0
        return out
    }

    static func bytesField(_ number: Int, _ bytes: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(bytes.count)) + bytes
    }

    static func message(_ fields: [Int: Value]) -> [UInt8] {
        fields.sorted { $0.key < $1.key }.flatMap { number, value -> [UInt8] in
            switch value {
            case .int(let n): return varint(UInt64(number << 3)) + varint(UInt64(bitPattern: Int64(n)))
            case .bytes(let b): return bytesField(number, b)
            }
        }
    }

    /// pieces: (piece, score, type); trainer/normalizer: field number -> value (nil: absent).
    static func model(pieces: [(String, Float, Int)], trainer: [Int: Value]?, normalizer: [Int: Value] = [:]) -> [UInt8] {
        var out: [UInt8] = []
        for (piece, score, type) in pieces {
            var body = bytesField(1, Array(piece.utf8))
            body += varint(2 << 3 | 5) + withUnsafeBytes(of: score.bitPattern.littleEndian) { Array($0) }
            body += varint(3 << 3) + varint(UInt64(type))
            out += bytesField(1, body)
        }
        if let trainer { out += bytesField(2, message(trainer)) }
        out += bytesField(3, message(normalizer))
        return out
    }
}
