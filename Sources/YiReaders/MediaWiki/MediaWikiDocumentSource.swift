import YiCore
import YiIO

/// Documents from a MediaWiki XML export (Wikipedia's `pages-articles` dumps, schemas 0.3-0.11),
/// one per page, streamed through libxml2's SAX2 push parser in constant memory.
///
/// Kept: pages in `ReaderOptions.namespaces` (default: articles, namespace 0) whose newest revision
/// has text. Skipped and counted (`counters`): other namespaces, redirects, pages with empty or
/// suppressed text, pages whose cleaned text is empty. The text goes through `WikitextCleaner`
/// unless `wikitext` is `.raw`. A page becomes a document only at its `</page>`: when the XML is
/// cut or broken, every complete page before the damage is returned, then `.corruptInput`.
public final class MediaWikiDocumentSource: InputDocumentSource {
    public let input: DiscoveredInput
    let parser: XMLPushParser   // internal for the test that it is freed
    private let pages: MediaWikiPageAssembler
    /// Documents completed by the last chunk parsed, handed out before the next is parsed.
    private var ready: [Document] = []
    private var readyIndex = 0
    private var pendingError: Error?
    private var parserEnded = false
    private var finished = false

    public var fileBytesRead: Int64 { parser.fileBytesRead }
    public var decompressedBytesRead: Int64 { parser.bytesRead }
    public var counters: Counters { pages.counters }

    /// The most wikitext bytes a page's revision may hold; a longer one is skipped
    /// (`reader.skipped.page-too-large`). MediaWiki itself caps pages at 2 MiB
    /// (`$wgMaxArticleSize`), so anything near this is not an article, and memory stays bounded.
    public static let defaultMaximumPageTextBytes = 256 << 20

    public init(input: DiscoveredInput, stream: ByteStream, options: ReaderOptions,
                maximumPageTextBytes: Int = MediaWikiDocumentSource.defaultMaximumPageTextBytes) throws {
        self.input = input
        parser = XMLPushParser(stream: stream)
        pages = MediaWikiPageAssembler(path: input.path, options: options, maximumTextBytes: maximumPageTextBytes)
        let events = parser.events
        // The handlers live in `events`: capturing it strongly would be a cycle that kept
        // every file's parser state and cleaner alive (a fuzzing find: 8 KB per file).
        events.startElement = { [pages, unowned parser, unowned events] name, attributes in
            pages.startElement(name, attributes: attributes, line: parser.line, byteOffset: parser.byteOffset)
            if let error = pages.fatalError { events.stopError = error }
        }
        events.endElement = { [pages] name in pages.endElement(name) }
        events.characters = { [pages] bytes in pages.characters(bytes) }
    }

    public func next() throws -> Document? {
        while !finished {
            if readyIndex < ready.count {
                defer { readyIndex += 1 }
                return ready[readyIndex]
            }
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            if let error = pendingError {
                finished = true
                throw error
            }
            if parserEnded {
                finished = true
                break
            }
            do {
                parserEnded = try !parser.feed()
            } catch {
                // The pages completed before the damage still come first.
                pendingError = error
            }
            ready = pages.takeCompleted()
        }
        return nil
    }
}
