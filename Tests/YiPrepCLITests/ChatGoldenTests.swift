import Foundation
import Testing
import YiChecksum
import YiCore
import YiReaders
import YiShards
import YiTestSupport
import YiTokenizer

/// Conversations whose ids and masks the reference SentencePiece gave
/// (`tools/golden/generate_chat_golden.py`): the record is parsed by the chat reader, rendered,
/// encoded whole and masked; every id and every mask bit must agree.
@Suite struct ChatGoldenTests {
    struct Golden {
        var name: String
        var json: JSONValue
    }

    /// The golden lines, with each message's content parts expanded from the shared corpus.
    static func goldenConversations() throws -> [(name: String, record: [(String, JSONValue)], trainOn: ChatTrainOn,
                                                   sha256: String, ids: [TokenID], trained: [Range<Int>])] {
        let lines = try zstdLines(Fixtures.repoPath("tools/golden/chat/yi-chat.golden.jsonl.zst")).filter { !$0.isEmpty }
        let goldens = try lines.map { try JSONParser.parse($0) }
        var wanted = Set<String>()
        for golden in goldens {
            for case .object(let message) in golden["messages"]?.arrayValue ?? [] {
                for part in message.first(where: { $0.0 == "content" })?.1.arrayValue ?? [] {
                    if let id = part["corpus"]?.stringValue { wanted.insert(id) }
                }
            }
        }
        var corpus: [String: [Unicode.Scalar]] = [:]
        for line in try String(contentsOfFile: Fixtures.requireShared("corpora/jsonl/corpus.jsonl"), encoding: .utf8).split(separator: "\n") {
            guard line.contains("\"id\"") else { continue }
            let record = try JSONParser.parse(String(line))
            if let id = record["id"]?.stringValue, wanted.contains(id) {
                corpus[id] = Array(record["text"]!.stringValue!.unicodeScalars)
            }
        }
        return try goldens.map { golden in
            let shareGPT = golden["format"]?.stringValue == "sharegpt"
            let messages: [JSONValue] = (golden["messages"]?.arrayValue ?? []).map { message in
                var content = String.UnicodeScalarView()
                for part in message["content"]?.arrayValue ?? [] {
                    if let text = part.stringValue {
                        content.append(contentsOf: text.unicodeScalars)
                    } else {
                        let scalars = corpus[part["corpus"]!.stringValue!]!
                        content.append(contentsOf: scalars[Int(part["start"]!.intValue!)..<Int(part["end"]!.intValue!)])
                    }
                }
                let role = message["role"]!.stringValue!
                return shareGPT
                    ? .object([("from", .string(role == "user" ? "human" : role == "assistant" ? "gpt" : role)), ("value", .string(String(content)))])
                    : .object([("role", .string(role)), ("content", .string(String(content)))])
            }
            guard let trainOn = ChatTrainOn(rawValue: golden["train_on"]?.stringValue ?? "") else {
                throw YiError(.usage, "bad train_on in golden")
            }
            let trained = (golden["trained"]?.arrayValue ?? []).map { pair -> Range<Int> in
                let bounds = pair.arrayValue!.map { Int($0.intValue!) }
                return bounds[0]..<bounds[1]
            }
            return (golden["name"]!.stringValue!, [(shareGPT ? "conversations" : "messages", .array(messages))], trainOn,
                    golden["text_sha256"]!.stringValue!, golden["ids"]!.arrayValue!.map { TokenID($0.intValue!) }, trained)
        }
    }

    @Test func idsAndMasksEqualTheReference() throws {
        let model = try SentencePieceModel(contentsOf: Fixtures.requireShared("tokenizers/yi/tokenizer.model"))
        let encoder = SentencePieceEncoder(model: model)
        let masker = try ChatMasker(model: model)
        let literals = ChatMasker.forbiddenLiterals(of: model)
        let goldens = try Self.goldenConversations()
        #expect(goldens.count >= 8)
        var longDocuments = 0
        for golden in goldens {
            guard case .success(let (messages, _)) = ChatConversation.parse(golden.record, forbiddenLiterals: literals) else {
                Issue.record("\(golden.name): not parsed as a conversation")
                continue
            }
            if messages.contains(where: { $0.content.count >= 100_000 }) { longDocuments += 1 }
            let (text, layout) = ChatTemplate.yi.render(messages, trainOn: golden.trainOn)
            #expect(SHA256.hex(of: Array(text.utf8)) == golden.sha256, "\(golden.name): rendered text differs")
            let ids = encoder.encode(text)
            let idDifferences = zip(ids, golden.ids).filter { $0 != $1 }.count + abs(ids.count - golden.ids.count)
            #expect(idDifferences == 0, "\(golden.name): \(idDifferences) ids differ")
            var expectedMask = [UInt8](repeating: 0, count: golden.ids.count)
            for range in golden.trained { for i in range { expectedMask[i] = 1 } }
            let mask = masker.mask(ids: ids, text: text, layout: layout)?.mask ?? []
            let maskDifferences = zip(mask, expectedMask).filter { $0 != $1 }.count + abs(mask.count - expectedMask.count)
            #expect(maskDifferences == 0, "\(golden.name): \(maskDifferences) mask bits differ")
            #expect(expectedMask.contains(1), "\(golden.name): nothing trained")
        }
        #expect(longDocuments >= 2, "the golden set must hold documents of 100K+ characters")
    }
}

/// The documented details of the rule and the format, on small cases.
@Suite struct ChatMaskRuleTests {
    /// A token that overlaps a trained byte range only in part is trained; one that merely touches
    /// it is not.
    @Test func aTokenOverlappingTrainedBytesIsTrained() throws {
        let model = try SentencePieceModel(contentsOf: Fixtures.requireShared("tokenizers/yi/tokenizer.model"))
        let masker = try ChatMasker(model: model)
        let text = "Hello world"
        let ids = SentencePieceEncoder(model: model).encode(text)
        #expect(ids.count == 2)   // "Hello", "▁world"
        func mask(_ range: Range<Int>) -> [UInt8]? {
            masker.mask(ids: ids, text: text, layout: ChatLayout(trainedRanges: [range], turns: [.init(end: 11, isTrained: true)]))?.mask
        }
        #expect(mask(2..<3) == [1, 0])    // inside "Hello"
        #expect(mask(4..<6) == [1, 1])    // "o" and the space of "▁world"
        #expect(mask(5..<11) == [0, 1])   // starts where "Hello" ends
        // Ids that do not cover the text are refused, not masked: by length, and byte by byte
        // when the text holds a literal ▁ (then each piece is matched against the text).
        let empty = ChatLayout(trainedRanges: [], turns: [])
        #expect(masker.mask(ids: ids, text: "Hello worlds", layout: empty) == nil)
        #expect(masker.mask(ids: ids, text: "Hello World", layout: empty) != nil)   // same length: not detected without ▁
        let literal = "Hello\u{2581}x"
        let literalIDs = SentencePieceEncoder(model: model).encode(literal)
        #expect(masker.mask(ids: literalIDs, text: literal, layout: empty)?.mask.count == literalIDs.count)
        #expect(masker.mask(ids: literalIDs, text: "Jello\u{2581}x", layout: empty) == nil)
    }

    /// docs/chat.md's example: L = 10, tokens 6, 7, 8 trained → record C0 01, 34 bytes in all.
    @Test func maskFileExampleBytes() throws {
        var record = [UInt8](repeating: 0xFF, count: MaskSidecarFormat.recordSize(sequenceLength: 10))
        MaskSidecarFormat.pack([0, 0, 0, 0, 0, 0, 1, 1, 1, 0], into: &record)
        #expect(record == [0xC0, 0x01])
        let header = MaskSidecarFormat.header(sequenceLength: 10, sequences: 1)
        #expect(header == Array("YIMASK".utf8) + [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        #expect(MaskSidecarFormat.fileSize(sequenceLength: 10, sequences: 1) == 34)
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
