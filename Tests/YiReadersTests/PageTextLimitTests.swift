import Foundation
import Testing
import YiCore
import YiIO
@testable import YiReaders
import YiTestSupport

/// The largest XML text node (docs/reliability.md, "Limits"): a page whose wikitext is over the
/// limit is skipped and counted; the pages around it are read.
@Suite struct PageTextLimitTests {
    @Test func theDefaultIs256MiB() {
        #expect(MediaWikiDocumentSource.defaultMaximumPageTextBytes == 256 << 20)
    }

    @Test func aPageOverTheLimitIsSkippedAndCounted() throws {
        func page(_ id: Int, _ text: String) -> String {
            "<page><title>P\(id)</title><ns>0</ns><id>\(id)</id><revision><id>\(id)</id><text>\(text)</text></revision></page>"
        }
        let big = String(repeating: "long &amp; text ", count: 250)  // 3,000 bytes once the entity is decoded
        let xml = "<mediawiki>" + page(1, "first page") + page(2, big) + page(3, "third page") + "</mediawiki>"
        let dir = TemporaryDirectory()
        let path = dir.write("dump.xml", xml)
        let input = try #require(try discoverInputs([path]).inputs.first)
        func read(limit: Int) throws -> ReadResult {
            readAll(try MediaWikiDocumentSource(input: input, stream: try openByteStream(path: path, compression: .none),
                                                options: ReaderOptions(wikitext: .raw), maximumPageTextBytes: limit))
        }
        let limited = try read(limit: 2_999)
        #expect(limited.error == nil)
        #expect(limited.documents.map(\.id) == ["1", "3"])
        #expect(limited.counters["reader.skipped.page-too-large"] == 1)
        let exact = try read(limit: 3_000)
        #expect(exact.documents.map(\.id) == ["1", "2", "3"])
        #expect(exact.documents[1].text.utf8.count == 3_000)
        #expect(exact.counters["reader.skipped.page-too-large"] == 0)
    }
}
