import Foundation
import Testing
import YiCore
@testable import YiReaders
import YiTestSupport

private let raw = ReaderOptions(wikitext: .raw)

private func damaged(_ name: String) -> String { Fixtures.requireShared("corpora/damaged/\(name)") }
private func intact(_ name: String) -> String { Fixtures.requireShared("corpora/wiki_xml/\(name)") }

/// The damaged MediaWiki files of corpora/SOURCES.md (C3 and found/): the complete pages before
/// the damage come out, then one `.corruptInput` error naming the file and where.
@Suite struct MediaWikiDamagedFileTests {
    /// Checks that the documents are exactly the intact file's first `count` documents.
    private func expectPrefix(_ result: ReadResult, of intactFile: String, count: Int? = nil) throws {
        let reference = try readFile(intact(intactFile), options: raw).documents
        #expect(result.documents.count <= reference.count)
        if let count { #expect(result.documents.count == count) }
        #expect(result.documents.map(\.text) == reference.prefix(result.documents.count).map(\.text))
        #expect(result.documents.map { $0.meta["title"] } == reference.prefix(result.documents.count).map { $0.meta["title"] })
    }

    @Test(arguments: ["zhwiki-test-pages.excerpt-8pages.truncated-midpage.xml",
                      "zhwiki-test-pages.excerpt-8pages.truncated-midpage.xml.bz2",
                      "zhwiki-test-pages.excerpt-8pages.truncated-midpage.xml.zst"])
    func xmlCutMidPage(file: String) throws {
        let path = damaged(file)
        let result = try readFile(path, options: raw)
        // 4 complete pages before the cut (those in namespace 0 become documents); page 5 never.
        let oracle = WikiDumpOracle(path: intact("zhwiki-test-pages.excerpt-8pages.xml"))
        let complete = oracle.pages.prefix(4).filter(\.isArticleWithText).count
        try expectPrefix(result, of: "zhwiki-test-pages.excerpt-8pages.xml", count: complete)
        #expect(!result.documents.contains { $0.meta["title"]?.stringValue == "物理学" })
        let error = try #require(result.error)
        #expect(error.code == .corruptInput)
        #expect(error.context.path == path)
        #expect((error.context.line ?? 0) > 1)
        #expect(error.context.byteOffset != nil)
        #expect(error.message.contains("not well-formed") && error.message.contains("cut short"))
    }

    @Test func dumpWithoutItsClosingTag() throws {
        // All 10 pages are complete; only </mediawiki> is missing.
        let path = damaged("found/viwiki-wikiextractor-test.as-found.xml")
        let result = try readFile(path, options: raw)
        let reference = try readFile(intact("viwiki-wikiextractor-test.xml"), options: raw)
        try expectPrefix(result, of: "viwiki-wikiextractor-test.xml", count: reference.documents.count)
        #expect(result.counters["reader.pages"] == 10)
        let error = try #require(result.error)
        #expect(error.code == .corruptInput && error.context.path == path)
    }

    @Test func truncatedZstdStreamUnderXML() throws {
        let path = damaged("viwiki-wikiextractor-test.truncated-stream.xml.zst")
        let result = try readFile(path, options: raw)
        try expectPrefix(result, of: "viwiki-wikiextractor-test.xml")
        let error = try #require(result.error)
        #expect(error.code == .corruptInput && error.context.path == path)
        // The decompressor's own error wins over libxml2's "I/O error": it names the compressed offset.
        #expect(error.context.byteOffset == 54_913)
        #expect(error.message.contains("zstd"))
    }

    @Test func truncatedBzip2StreamUnderXML() throws {
        let path = damaged("enwiki-table-markup.truncated-stream.xml.bz2")
        let result = try readFile(path, options: raw)
        // One 900k block: nothing is recoverable before the cut.
        try expectPrefix(result, of: "enwiki-table-markup.xml", count: 0)
        let error = try #require(result.error)
        #expect(error.code == .corruptInput && error.context.path == path)
        #expect(error.context.byteOffset == 38_464)
        #expect(error.message.contains("bzip2"))
    }

    @Test func undefinedEntity() throws {
        let path = damaged("tinywiki-latest-pages-articles.undefined-entity.xml")
        let result = try readFile(path, options: raw)
        // "&nbsp;" sits at the start of the first page's text: no page is complete before it.
        try expectPrefix(result, of: "tinywiki-latest-pages-articles.xml", count: 0)
        let error = try #require(result.error)
        #expect(error.code == .corruptInput && error.context.path == path)
        #expect(error.context.line == 33)
        #expect(error.message.contains("nbsp"))
    }

    @Test func wellFormedDumpWithNothingToKeep() throws {
        // zhwiki-broken-4: two project pages and an article whose text is an empty element.
        let result = try readFile(damaged("found/zhwiki-broken-4.xml"), options: raw)
        #expect(result.error == nil)
        #expect(result.documents.isEmpty)
        #expect(result.counters["reader.pages"] == 3)
        #expect(result.counters["reader.skipped.namespace"] == 2)
        #expect(result.counters["reader.skipped.empty-page"] == 1)
    }
}
