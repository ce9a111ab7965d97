import Foundation
import Testing
import YiCore
@testable import YiReaders
import YiTestSupport

/// The shared JSONL corpus, its index, and its zstd shards (corpora/SOURCES.md, C1/C2), plus the
/// damaged zstd files built from them (C3).
@Suite struct JSONLCorpusTests {
    struct IndexRow {
        var line: Int, shard: Int, id: String, source: String, lang: String, chars: Int, utf8Bytes: Int, title: String
    }

    static let index: [IndexRow] = {
        let text = try! String(contentsOfFile: Fixtures.requireShared("corpora/jsonl/corpus.index.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { row in
            let f = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return IndexRow(line: Int(f[0])!, shard: Int(f[1])!, id: f[2], source: f[3], lang: f[4],
                            chars: Int(f[6])!, utf8Bytes: Int(f[7])!, title: f[8])
        }
    }()

    static let corpusPath = Fixtures.requireShared("corpora/jsonl/corpus.jsonl")

    @Test func corpusMatchesItsIndex() throws {
        let rejects = try RejectLog()
        let result = try readFile(Self.corpusPath, rejects: rejects)
        #expect(result.error == nil && rejects.total == 0)
        #expect(result.documents.count == 314 && Self.index.count == 314)
        let lines = rawLines(Self.corpusPath)
        for (document, row) in zip(result.documents, Self.index) {
            #expect(document.location.line == row.line)
            #expect(document.id == row.id)
            #expect(document.source == row.source)
            #expect(document.text.unicodeScalars.count == row.chars, "\(row.id)")
            #expect(document.text.utf8.count == row.utf8Bytes, "\(row.id)")
            #expect(document.meta["meta"]?["lang"]?.stringValue == row.lang)
            #expect(document.meta["meta"]?["title"]?.stringValue == row.title)
            // An independent decoder agrees on every text.
            let reference = try #require(foundationObject(lines[row.line - 1]))
            #expect(withoutBOMs(document.text) == withoutBOMs(reference["text"] as? String), "\(row.id)")
            // Metadata keeps its key order and integer values.
            let metaKeys = (document.meta["meta"].flatMap { value -> [String]? in
                if case .object(let members) = value { return members.map(\.0) }
                return nil
            }) ?? []
            #expect(metaKeys.prefix(2) == ["lang", "kind"])
            #expect(document.meta["meta"]?["chars"] == .int(Int64(row.chars)))
        }
        #expect(result.counters["reader.documents"] == 314)
    }

    @Test func zstdShardsHoldTheSameDocuments() throws {
        var documents: [Document] = []
        var decompressed: Int64 = 0
        var compressed: Int64 = 0
        let discovery = try discoverInputs([Fixtures.requireShared("corpora/jsonl_zst")])
        #expect(discovery.inputs.map { FileSystem.lastComponent($0.path) } ==
                (0..<3).map { "corpus-0000\($0)-of-00003.jsonl.zst" })
        for input in discovery.inputs {
            #expect(input.format == .jsonl && input.compression == .zstd)
            let source = try openDocumentSource(for: input, options: ReaderOptions(), rejects: try RejectLog())
            let result = readAll(source)
            #expect(result.error == nil)
            documents += result.documents
            decompressed += source.decompressedBytesRead
            compressed += source.fileBytesRead
            #expect(source.fileBytesRead == input.size)
        }
        let plain = try readFile(Self.corpusPath).documents
        #expect(documents.map(\.id) == plain.map(\.id))
        #expect(documents.map(\.text) == plain.map(\.text))
        #expect(decompressed == Int64(FileManager.default.contents(atPath: Self.corpusPath)!.count))
        #expect(compressed == discovery.totalBytes)
    }

    @Test func truncatedZstdKeepsTheCompleteLinesAndReportsTheDamage() throws {
        let path = Fixtures.requireShared("corpora/damaged/truncated.jsonl.zst")
        let result = try readFile(path)
        // Lines 1-64 of shard 1 (corpus lines 70-133); the partial line 65 is not a record.
        #expect(result.documents.map(\.id) == Self.index[69..<133].map(\.id))
        let plain = try readFile(Self.corpusPath).documents
        #expect(result.documents.map(\.text) == plain[69..<133].map(\.text))
        let error = try #require(result.error)
        #expect(error.code == .corruptInput && error.context.path == path)
        #expect(error.context.byteOffset == 170_270)
        #expect(error.context.line == 65)
        #expect(error.description.contains("truncated"))
    }

    @Test func corruptZstdFrameNeverYieldsGarbage() throws {
        let path = Fixtures.requireShared("corpora/damaged/corrupt_midframe.jsonl.zst")
        let rejects = try RejectLog()
        let result = try readFile(path, rejects: rejects)
        let plain = try readFile(Self.corpusPath).documents
        // Frame 1 (lines 1-26) decodes cleanly; whatever comes after the damage is not returned.
        #expect(result.documents.count >= 26)
        #expect(result.documents.map(\.text) == plain.prefix(result.documents.count).map(\.text))
        #expect(rejects.total == 0)
        let error = try #require(result.error)
        #expect(error.code == .corruptInput && error.context.path == path)
        #expect((187_020..<262_204).contains(error.context.byteOffset ?? -1))
    }

    @Test func dottedFieldPathsAndSourceFromANestedField() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("mix.jsonl", """
        {"id": 7, "meta": {"content": "nested text", "redpajama_set_name": "RedPajamaArXiv"}, "n": 1}
        {"id": "x", "meta": {"redpajama_set_name": "RedPajamaBook"}}
        {"meta.content": "a key with a dot", "meta": {"content": "not this one"}}
        {"meta": "not an object"}

        """)
        let rejects = try RecordingRejects()
        let options = ReaderOptions(textField: "meta.content", sourceField: "meta.redpajama_set_name")
        let result = try readFile(path, options: options, rejects: rejects.log)
        #expect(result.documents.map(\.text) == ["nested text", "a key with a dot"])
        #expect(result.documents.map(\.id) == ["7", path + ":3"])
        #expect(result.documents.map(\.source) == ["RedPajamaArXiv", "mix"])
        // The text is taken out of its nested object; everything else stays.
        #expect(result.documents[0].meta["meta"] == .object([("redpajama_set_name", .string("RedPajamaArXiv"))]))
        #expect(result.documents[0].meta["n"] == .int(1))
        #expect(try rejects.records().map(\.reason) == ["missing-text", "missing-text"])

        let fixed = try readFile(path, options: ReaderOptions(textField: "meta.content", sourceName: "arxiv"))
        #expect(fixed.documents.allSatisfy { $0.source == "arxiv" })
    }

    @Test func invalidFieldNamesAreUsageErrors() throws {
        let input = DiscoveredInput(path: Self.corpusPath, format: .jsonl, compression: .none, size: 0)
        #expect(throws: YiError.self) {
            _ = try openDocumentSource(for: input, options: ReaderOptions(textField: "meta..x"), rejects: try RejectLog())
        }
    }
}
