import Foundation
import Testing
import YiCore
import YiIO
@testable import YiReaders
import YiTestSupport

/// A MediaWiki source frees its parser state when it goes away: one `pack` opens a source per
/// file (or slice), and a reference cycle between the SAX handlers and their events kept each
/// one alive (fuzzing: tools/fuzz/regressions/mediawiki/handler-cycle-oom).
@Suite struct MediaWikiSourceLifetimeTests {
    @Test func theParserAndItsHandlersAreFreedWithTheSource() throws {
        let xml = "<mediawiki><page><title>P</title><ns>0</ns><id>1</id><revision><id>1</id><text>one page</text></revision></page></mediawiki>"
        let dir = TemporaryDirectory()
        let path = dir.write("dump.xml", xml)
        let input = try #require(try discoverInputs([path]).inputs.first)
        weak var parser: XMLPushParser?
        weak var events: XMLEvents?
        do {
            let source = try MediaWikiDocumentSource(input: input, stream: try openByteStream(path: path, compression: .none),
                                                     options: ReaderOptions())
            parser = source.parser
            events = source.parser.events
            #expect(readAll(source).documents.map(\.id) == ["1"])
        }
        #expect(parser == nil)
        #expect(events == nil)
    }
}
