import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiShards

@Suite struct ManifestTests {
    static func sample() -> Manifest {
        var counters = Counters()
        counters.add("documents.in", 12)
        counters.add("rejected.invalid-utf8", 1)
        let shard = ShardInfo(name: "shard-00000", sequences: 3, tokens: 48, padTokens: 5, spans: 7, documentEnds: 6, splitDocuments: 1,
                              bin: FileDigest(bytes: 96, sha256: String(repeating: "a", count: 64)),
                              idx: FileDigest(bytes: 102, sha256: String(repeating: "b", count: 64)),
                              docs: FileDigest(bytes: 320, sha256: String(repeating: "c", count: 64)))
        return Manifest(
            tool: ToolInfo(version: "1.2.3"), createdBy: "yi-prep pack --len 16 \"corpus dir\"/ ünïcode 中文",
            options: .object([("len", .array([.int(16)])), ("ratio", .double(0.25)), ("flag", .bool(true)), ("none", .null)]),
            seed: UInt64.max,
            tokenizer: TokenizerInfo(path: "/models/yi/tokenizer.model", sha256: String(repeating: "d", count: 64), vocabularySize: 64_000,
                                     bosID: 1, eosID: 2, flags: .object([("byte_fallback", .bool(true))])),
            padID: 0,
            inputs: [InputFile(path: "a.jsonl.zst", bytes: 1 << 40)],
            sources: ["web", "wiki\n\"quoted\""],
            buckets: [BucketManifest(sequenceLength: 16, dtype: .uint16, shards: [shard])],
            counters: counters,
            extra: [("ranks", .int(2))])
    }

    @Test func writeThenReadGivesTheSameManifestAndBytes() throws {
        let dir = TemporaryDirectory()
        let manifest = Self.sample()
        try manifest.write(toDirectory: dir.path)
        let text = String(decoding: Bytes.read(dir.file("manifest.json")), as: UTF8.self)
        let read = try Manifest.read(path: dir.file("manifest.json"))
        #expect(read == manifest)
        #expect(read.seed == UInt64.max)
        #expect(read.buckets[0].shards[0] == manifest.buckets[0].shards[0])
        // Writing what was read gives the same bytes: nothing depends on time or host.
        let again = TemporaryDirectory()
        try read.write(toDirectory: again.path)
        #expect(Bytes.read(again.file("manifest.json")) == Bytes.read(dir.file("manifest.json")))
        #expect(text.hasSuffix("}\n") && text.contains("\n  \"format\": \"yi-prep-manifest\","))
        #expect(!text.contains("time") && !text.contains("date"))
    }

    @Test func badManifestsNameTheProblem() throws {
        let dir = TemporaryDirectory()
        var json = Self.sample().json
        guard case .object(var members) = json else { Issue.record("not an object"); return }
        members.removeAll { $0.0 == "buckets" }
        json = .object(members)
        dir.write("missing.json", JSONWriter.string(json))
        do {
            _ = try Manifest.read(path: dir.file("missing.json"))
            Issue.record("a manifest without buckets was accepted")
        } catch let error as YiError {
            #expect(error.message == "manifest field buckets is missing")
            #expect(error.context.path == dir.file("missing.json"))
        }
        dir.write("type.json", JSONWriter.string(Self.sample().json).replacingOccurrences(of: "\"sequences\":3", with: "\"sequences\":\"3\""))
        do {
            _ = try Manifest.read(path: dir.file("type.json"))
            Issue.record("a string sequence count was accepted")
        } catch let error as YiError {
            #expect(error.message == "manifest field buckets[0].shards[0].sequences must be an integer")
        }
        dir.write("cut.json", bytes: Array(JSONWriter.string(Self.sample().json, pretty: true).utf8.prefix(200)))
        do {
            _ = try Manifest.read(path: dir.file("cut.json"))
            Issue.record("a truncated manifest was accepted")
        } catch let error as YiError {
            #expect(error.code == .corruptInput && error.context.byteOffset != nil && error.context.path == dir.file("cut.json"))
        }
    }

    @Test func manifestParserAcceptsJSONAndRejectsEverythingElse() throws {
        #expect(try JSONParser.parse(#" {"a": [1, -0, 2.5e3, true, false, null], "b": "\u00e9\ud83d\ude00\n\/"} "#)
                == .object([("a", .array([.int(1), .int(0), .double(2500), .bool(true), .bool(false), .null])), ("b", .string("é😀\n/"))]))
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONParser.parse(#""中文""#) == .string("中文"))
        let bad: [(String, Int64)] = [
            ("[1, 2,]", 6), ("{\"a\": 1,}", 8), ("01", 1), ("[1] x", 4), ("// c\n1", 0), ("\"\\ud800\"", 7),
            ("\"a\nb\"", 2), ("{'a': 1}", 1), ("[", 1), ("tru", 0), ("1.", 2), ("\"\\x\"", 3), ("", 0),
        ]
        for (text, offset) in bad {
            do {
                _ = try JSONParser.parse(text)
                Issue.record("accepted: \(text)")
            } catch let error as YiError {
                // Offsets point at or just before the offending byte (YiCoreTests pin them exactly).
                #expect(error.context.byteOffset.map { abs($0 - offset) <= 7 && $0 <= Int64(text.utf8.count) } == true,
                        "\(text): \(error)")
            }
        }
        #expect(throws: YiError.self) { try JSONParser.parse(bytes: [0x22, 0xFF, 0x22]) }  // invalid UTF-8
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: YiError.self) { try JSONParser.parse(deep) }
        // Whatever JSONWriter writes, the parser reads back.
        let value = Self.sample().json
        #expect(try JSONParser.parse(JSONWriter.string(value)) == value)
        #expect(try JSONParser.parse(JSONWriter.string(value, pretty: true)) == value)
    }
}
