import Foundation
import Testing
import YiCore
import YiReaders
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

extension JSONValue {
    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
