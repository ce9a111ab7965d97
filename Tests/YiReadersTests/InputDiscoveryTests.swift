import Foundation
import Testing
import YiCore
import YiIO
@testable import YiReaders
import YiTestSupport

private func fixture(_ name: String) -> String { Fixtures.repoPath("Tests/YiReadersTests/Fixtures/\(name)") }

private func copy(_ source: String, to path: String) {
    try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try! FileManager.default.copyItem(atPath: source, toPath: path)
}

/// Writes a file under `directory`, creating the folders on the way.
@discardableResult
private func put(_ directory: TemporaryDirectory, _ relative: String, _ contents: String = "", bytes: [UInt8]? = nil) -> String {
    let path = directory.file(relative)
    try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes ?? Array(contents.utf8)))
    return path
}

@Suite struct InputDiscoveryTests {
    /// A folder mixing every supported kind with things that must be reported or passed over.
    private func makeCorpusFolder() -> TemporaryDirectory {
        let d = TemporaryDirectory("discovery")
        let shared = Fixtures.requireShared("corpora")
        copy("\(shared)/jsonl_zst/corpus-00002-of-00003.jsonl.zst", to: d.file("b/shard-2.jsonl.zst"))
        copy("\(shared)/jsonl_zst/corpus-00000-of-00003.jsonl.zst", to: d.file("b/a/shard-0.jsonl.zst"))
        copy("\(shared)/wiki_xml/found/macbre-mediawiki-dump_dump.xml.bz2", to: d.file("wiki/fowiki.xml.bz2"))
        copy("\(shared)/wiki_xml/tinywiki-latest-pages-articles.xml.zst", to: d.file("wiki/tiny.xml.zst"))
        copy(fixture("fixturewiki-latest-pages-articles1.xml-p1p41242.bz2"), to: d.file("wiki/fixturewiki-latest-pages-articles1.xml-p1p41242.bz2"))
        copy(fixture("two-members.jsonl.gz"), to: d.file("gz/two.jsonl.gz"))
        copy("\(shared)/jsonl_zst/corpus-00001-of-00003.jsonl.zst", to: d.file("gz/no-format-in-name.zst"))
        put(d, "plain.jsonl", "{\"text\": \"x\"}\n")
        put(d, "lines.ndjson", "{\"text\": \"y\"}\n")
        put(d, "notes.txt", "hello\n")
        put(d, "array.json", "[{\"text\": \"x\"}]\n")
        put(d, "mislabeled.jsonl.zst", "{\"text\": \"not compressed\"}\n")
        put(d, "xml-inside.jsonl", "<mediawiki></mediawiki>\n")
        put(d, "utf16.jsonl", bytes: [0xFF, 0xFE] + Array("{}".utf8).flatMap { [$0, 0] })
        put(d, "packed.xz", bytes: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 1, 2])
        put(d, ".hidden.jsonl", "{\"text\": \"h\"}\n")
        put(d, ".git/config.jsonl", "{}")
        put(d, "out/len-8192/shard-00000.bin", "x")
        put(d, "out/len-8192/shard-00000.idx", "x")
        put(d, "gz/empty.jsonl.zst", "")
        put(d, "out/manifest.json", "{\"tool\": \"yi-prep 0.1\"}\n")
        put(d, "plain.jsonl.tmp-1234", "{}\n")
        put(d, "c/shard-00001.jsonl", "{\"text\": \"a corpus shard named like ours is still an input\"}\n")
        try! FileManager.default.createSymbolicLink(atPath: d.file("dangling.jsonl"), withDestinationPath: d.file("nowhere.jsonl"))
        try! FileManager.default.createSymbolicLink(atPath: d.file("b/a/loop"), withDestinationPath: d.file("b"))
        return d
    }

    @Test func aMixedFolder() throws {
        let d = makeCorpusFolder()
        let found = try discoverInputs([d.path])
        let relative = { (path: String) in String(path.dropFirst(d.path.count + 1)) }
        #expect(found.inputs.map { relative($0.path) } == [
            "b/a/shard-0.jsonl.zst", "b/shard-2.jsonl.zst", "c/shard-00001.jsonl", "gz/no-format-in-name.zst", "gz/two.jsonl.gz",
            "lines.ndjson", "plain.jsonl",
            "wiki/fixturewiki-latest-pages-articles1.xml-p1p41242.bz2", "wiki/fowiki.xml.bz2", "wiki/tiny.xml.zst",
        ])
        #expect(found.inputs.map { "\($0.format)/\($0.compression)" } == [
            "jsonl/zstd", "jsonl/zstd", "jsonl/none", "jsonl/zstd", "jsonl/gzip", "jsonl/none", "jsonl/none",
            "mediawiki-xml/bzip2", "mediawiki-xml/bzip2", "mediawiki-xml/zstd",
        ])
        #expect(found.inputs.allSatisfy { $0.size == Int64(FileManager.default.contents(atPath: $0.path)!.count) })
        let unsupported = Dictionary(uniqueKeysWithValues: found.unsupported.map { (relative($0.path), $0.reason) })
        #expect(unsupported.keys.sorted() == ["array.json", "dangling.jsonl", "mislabeled.jsonl.zst", "notes.txt", "packed.xz", "utf16.jsonl", "xml-inside.jsonl"])
        #expect(unsupported["utf16.jsonl"]?.contains("UTF-16") == true)
        #expect(unsupported["dangling.jsonl"]?.contains("broken symbolic link") == true)
        #expect(unsupported["notes.txt"]?.contains("unsupported file type .txt") == true)
        #expect(unsupported["packed.xz"]?.contains("xz compression is not supported") == true)
        #expect(unsupported["mislabeled.jsonl.zst"]?.contains("the name says zstd but the content is not compressed") == true)
        #expect(unsupported["array.json"]?.contains("JSON array") == true)
        #expect(unsupported["xml-inside.jsonl"]?.contains("content is XML") == true)
        let ignored = Dictionary(uniqueKeysWithValues: found.ignored.map { (relative($0.path), $0.reason) })
        #expect(ignored.keys.sorted() == [".git", ".hidden.jsonl", "b/a/loop", "gz/empty.jsonl.zst", "out", "plain.jsonl.tmp-1234"])
        #expect(ignored["gz/empty.jsonl.zst"] == "empty file")
        #expect(ignored["b/a/loop"] == "symbolic link loop")
        #expect(ignored["out"]?.contains("yi-prep output") == true)
    }

    @Test func globs() throws {
        let d = makeCorpusFolder()
        let all = try discoverInputs(["\(d.path)/**/*.zst"])
        #expect(all.inputs.map { FileSystem.lastComponent($0.path) } ==
                ["shard-0.jsonl.zst", "shard-2.jsonl.zst", "no-format-in-name.zst", "tiny.xml.zst"])
        #expect(all.unsupported.map { FileSystem.lastComponent($0.path) } == ["mislabeled.jsonl.zst"])
        let one = try discoverInputs(["\(d.path)/b/shard-?.jsonl.zst", "\(d.path)/wiki/*.bz2"])
        #expect(one.inputs.map { FileSystem.lastComponent($0.path) } ==
                ["shard-2.jsonl.zst", "fixturewiki-latest-pages-articles1.xml-p1p41242.bz2", "fowiki.xml.bz2"])
        #expect(throws: YiError.self) { try discoverInputs(["\(d.path)/*.parquet"]) }
        #expect(throws: YiError.self) { try discoverInputs(["\(d.path)/does-not-exist.jsonl"]) }
    }

    @Test func argumentOrderIsKeptAndRepeatsAreDropped() throws {
        let d = makeCorpusFolder()
        let found = try discoverInputs([d.file("plain.jsonl"), d.file("gz"), d.file("plain.jsonl"), d.file(".hidden.jsonl")])
        #expect(found.inputs.map { FileSystem.lastComponent($0.path) } ==
                ["plain.jsonl", "no-format-in-name.zst", "two.jsonl.gz", ".hidden.jsonl"])
        let excluded = try discoverInputs([d.path], excluding: [d.file("b")])
        #expect(!excluded.inputs.contains { $0.path.contains("/b/") })
        #expect(excluded.ignored.contains { $0.path == d.file("b") && $0.reason == "output of this run" })
    }

    @Test func everyDiscoveredInputOpensAndReads() throws {
        let d = makeCorpusFolder()
        let found = try discoverInputs([d.path])
        var sources: [String: Set<String>] = [:]
        for input in found.inputs {
            let result = readAll(try openDocumentSource(for: input, options: ReaderOptions(wikitext: .raw), rejects: try RejectLog()))
            #expect(result.error == nil, "\(input.path)")
            #expect(!result.documents.isEmpty, "\(input.path)")
            sources[FileSystem.lastComponent(input.path), default: []].formUnion(result.documents.map(\.source))
        }
        #expect(sources["two.jsonl.gz"] == ["fixture", "two"])
        #expect(sources["fixturewiki-latest-pages-articles1.xml-p1p41242.bz2"] == ["fixturewiki"])
        #expect(sources["fowiki.xml.bz2"] == ["fowiki"])
    }

    @Test func multiMemberGzipJSONL() throws {
        let result = try readFile(fixture("two-members.jsonl.gz"))
        #expect(result.documents.map(\.id) == ["gz-1", "gz-2", "3"])
        #expect(result.documents.last?.text == "second member é中")
    }

    @Test func sourceNamesFromPaths() {
        #expect(derivedSourceName(forPath: "data/c4-train.00007-of-01024.json.gz") == "c4-train")
        #expect(derivedSourceName(forPath: "corpus-00000-of-00003.jsonl.zst") == "corpus")
        #expect(derivedSourceName(forPath: "/rp/arxiv_023.jsonl.zst") == "arxiv")
        #expect(derivedSourceName(forPath: "/pile/train/00.jsonl.zst") == "train")
        #expect(derivedSourceName(forPath: "enwiki-latest-pages-articles1.xml-p1p41242.bz2") == "enwiki-latest-pages-articles")
        #expect(derivedSourceName(forPath: "books.jsonl") == "books")
        #expect(derivedSourceName(forPath: "07.jsonl") == "input")
        // Digits joined to the name are part of it: these sets must not merge.
        #expect(derivedSourceName(forPath: "books2024.jsonl") == "books2024")
        #expect(derivedSourceName(forPath: "qwen2.jsonl.zst") == "qwen2")
        #expect(derivedSourceName(forPath: "corpus-v1.jsonl") == "corpus-v1")
        #expect(derivedSourceName(forPath: "wiki2023.jsonl") != derivedSourceName(forPath: "wiki2024.jsonl"))
        #expect(derivedSourceName(forPath: "wiki2023_007.jsonl") == "wiki2023")
        #expect(derivedSourceName(forPath: "enwiki-latest-pages-articles27.xml-p1p41242.bz2") == "enwiki-latest-pages-articles")
    }
}
