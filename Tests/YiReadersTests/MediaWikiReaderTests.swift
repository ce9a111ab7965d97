import Foundation
import Testing
import YiCore
@testable import YiReaders
import YiTestSupport

private let raw = ReaderOptions(wikitext: .raw)

private let wikiFiles = [
    "enwiki-table-markup", "fowiki-macbre-mediawiki-dump-fixture", "macbre-mediawiki-dump-fixture",
    "mediawiki-core-Dupes.import-2", "mediawiki-core-ImportLinkCacheIntegrationTest",
    "tinywiki-latest-pages-articles", "viwiki-wikiextractor-test", "zhwiki-test-pages.excerpt-8pages",
]

private func wiki(_ name: String) -> String { Fixtures.requireShared("corpora/wiki_xml/\(name)") }

@Suite struct MediaWikiReaderTests {
    @Test(arguments: wikiFiles)
    func pagesMatchTheFile(name: String) throws {
        let path = wiki("\(name).xml")
        let oracle = WikiDumpOracle(path: path)
        let result = try readFile(path, options: raw)
        #expect(result.error == nil)
        #expect(result.documents.map { $0.meta["title"]?.stringValue } == oracle.articles.map(\.title))
        #expect(result.documents.map(\.text) == oracle.articles.map { $0.text! })
        for (document, page) in zip(result.documents, oracle.articles) {
            if let id = page.id { #expect(document.id == id) } else { #expect(document.id.hasPrefix(path + ":")) }
        }
        #expect(result.documents.allSatisfy { $0.meta["namespace"] == .int(0) })
        #expect(result.documents.allSatisfy { $0.source == (oracle.dbName ?? derivedSourceName(forPath: path)) })
        // Every page is accounted for: a document or a counted skip.
        let c = result.counters
        #expect(c["reader.pages"] == oracle.pages.count)
        #expect(c["reader.documents"] + c["reader.skipped.namespace"] + c["reader.skipped.redirect"]
                + c["reader.skipped.empty-page"] + c["reader.skipped.empty-after-cleaning"] == oracle.pages.count)
        #expect(c["reader.skipped.namespace"] == oracle.pages.filter { $0.namespace != 0 }.count)
        #expect(c["reader.skipped.redirect"] == oracle.pages.filter { $0.namespace == 0 && $0.isRedirect }.count)
    }

    @Test(arguments: wikiFiles)
    func zstdCopiesGiveTheSameDocuments(name: String) throws {
        let plain = try readFile(wiki("\(name).xml"), options: raw)
        let compressed = try readFile(wiki("\(name).xml.zst"), options: raw)
        #expect(compressed.error == nil)
        #expect(compressed.documents.map(\.id) == plain.documents.map(\.id).map {
            $0.replacingOccurrences(of: ".xml:", with: ".xml.zst:")
        })
        #expect(compressed.documents.map(\.text) == plain.documents.map(\.text))
    }

    @Test(arguments: [("enwiki-table-markup.xml.bz2", "enwiki-table-markup.xml"),
                      ("macbre-mediawiki-dump_dump.xml.bz2", "fowiki-macbre-mediawiki-dump-fixture.xml")])
    func foundBzip2DumpsGiveTheSameDocuments(compressed: String, plain: String) throws {
        let a = try readFile(wiki("found/\(compressed)"), options: raw)
        let b = try readFile(wiki(plain), options: raw)
        #expect(a.error == nil && !a.documents.isEmpty)
        #expect(a.documents.map(\.text) == b.documents.map(\.text))
        #expect(a.documents.map { $0.meta["title"] } == b.documents.map { $0.meta["title"] })
    }

    @Test func metadataOfAnExport010Page() throws {
        let result = try readFile(wiki("zhwiki-test-pages.excerpt-8pages.xml"), options: raw)
        let page = try #require(result.documents.first)
        #expect(page.source == "zhwiki")
        #expect(page.meta["title"]?.stringValue == "法学")
        #expect(page.meta["page_id"]?.intValue.map(String.init) == page.id)
        #expect(page.meta["revision_id"]?.intValue != nil)
        #expect(page.meta["timestamp"]?.stringValue?.hasSuffix("Z") == true)
        #expect(page.location.line != nil && page.location.byteOffset != nil)
    }

    @Test func export011AndPagesWithoutIdsOrNamespaces() throws {
        let dupes = try readFile(wiki("mediawiki-core-Dupes.import-2.xml"), options: raw)
        #expect(dupes.documents.map(\.text) == ["Lorem ipsum dolor sit amet"])
        #expect(dupes.documents.first?.id == "562" && dupes.documents.first?.meta["revision_id"] == .int(904))
        // Hand-written fixture: no <ns>, no <id>, newest revision first, a Talk page.
        let path = wiki("macbre-mediawiki-dump-fixture.xml")
        let macbre = try readFile(path, options: raw)
        #expect(macbre.documents.map(\.text) == ["A bunch of [[Special:MyLanguage/text|text]] here."])
        #expect(macbre.documents.first?.id.hasPrefix(path + ":") == true)
        #expect(macbre.documents.first?.source == "plwiki")
        #expect(macbre.counters["reader.skipped.namespace"] == 1)
    }

    @Test func namespacesOption() throws {
        let path = wiki("macbre-mediawiki-dump-fixture.xml")
        let talk = try readFile(path, options: ReaderOptions(namespaces: [1], wikitext: .raw))
        // The Talk page's newest revision (equal timestamps: the later one) is the empty <text />.
        #expect(talk.documents.isEmpty && talk.counters["reader.skipped.empty-page"] == 1)

        let zh = WikiDumpOracle(path: wiki("zhwiki-test-pages.excerpt-8pages.xml"))
        let all = try readFile(wiki("zhwiki-test-pages.excerpt-8pages.xml"), options: ReaderOptions(namespaces: Set(-2...15), wikitext: .raw))
        #expect(all.documents.count == zh.pages.filter { !$0.isRedirect && !($0.text ?? "").isEmpty }.count)
    }

    @Test func plainModeRunsTheWikitextCleaner() throws {
        let path = wiki("enwiki-table-markup.xml")
        let rawDocuments = try readFile(path, options: raw).documents
        let plain = try readFile(path).documents
        #expect(plain.map(\.text) == rawDocuments.map { WikitextCleaner().plainText(from: $0.text) })
    }

    @Test func utf16WithByteOrderMarkIsReadLikeUTF8() throws {
        let path = wiki("zhwiki-test-pages.excerpt-8pages.xml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let directory = TemporaryDirectory()
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let copy = directory.write("zhwiki-utf16.xml", bytes: bytes)
        let a = try readFile(copy, options: raw)
        let b = try readFile(path, options: raw)
        #expect(a.error == nil)
        #expect(a.documents.count == b.documents.count && !a.documents.isEmpty)
        #expect(a.documents.map(\.text) == b.documents.map(\.text))
        #expect(a.documents.map(\.id) == b.documents.map(\.id))
    }

    @Test func recoverableXMLErrorsDoNotStopTheDump() throws {
        // An empty prefixed namespace is a namespace error, not a well-formedness error.
        let directory = TemporaryDirectory()
        let path = directory.write("ns.xml", """
        <?xml version="1.0" encoding="UTF-8"?>
        <mediawiki xmlns:bad=""><page><title>T</title><ns>0</ns><id>5</id>
        <revision><id>6</id><text>Body &amp; more &#x4E2D;<![CDATA[ <kept> ]]></text></revision></page></mediawiki>
        """)
        let result = try readFile(path, options: raw)
        #expect(result.error == nil)
        #expect(result.documents.map(\.text) == ["Body & more 中 <kept> "])
        #expect(result.documents.first?.source == "ns", "no <dbname>: named after the file")
    }

    @Test func otherXMLIsNotAMediaWikiExport() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("feed.xml", "<rss><channel><title>x</title></channel></rss>\n")
        let result = try readFile(path)
        #expect(result.documents.isEmpty)
        #expect(result.error?.code == .unknownFormat)
    }
}
