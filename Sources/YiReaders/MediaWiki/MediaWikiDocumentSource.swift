import CYiXML2
import YiCore
import YiIO

/// Documents from a MediaWiki XML export (Wikipedia's `pages-articles` dumps, schemas 0.3-0.11),
/// one per page, streamed with libxml2 in constant memory.
///
/// Kept: pages in `ReaderOptions.namespaces` (default: articles, namespace 0) whose newest revision
/// has text. Skipped and counted (`counters`): other namespaces, redirects, pages with empty or
/// suppressed text, pages whose cleaned text is empty. The text goes through `WikitextCleaner`
/// unless `wikitext` is `.raw`. A page becomes a document only at its `</page>`: when the XML is
/// cut or broken, the pages before are returned and then `.corruptInput` is thrown.
public final class MediaWikiDocumentSource: InputDocumentSource {
    public let input: DiscoveredInput
    private let xml: XMLStreamReader
    private let namespacesToKeep: Set<Int>
    private let cleaner: WikitextCleaner?
    private let fixedSource: String?
    private let pathSource: String
    public private(set) var counters = Counters()

    // Parsing state.
    private var elements: [String] = []
    private var capture: Capture?
    private var captured: [UInt8] = []
    private var page: MediaWikiPage?
    private var revision = MediaWikiPage.Revision()
    /// Text of the revision being read, and of the page's newest revision so far; swapped, not
    /// copied, and reused across pages.
    private var revisionText: [UInt8] = []
    private var pageText: [UInt8] = []
    private var siteName: String?
    private var namespaceNames = NamespaceTable()
    private var namespaceKey: Int?
    private var finished = false

    /// What the characters inside the current element are collected for.
    private enum Capture {
        case dbName, namespaceName, title, namespace, pageID, revisionID, timestamp, text
    }

    public var fileBytesRead: Int64 { xml.fileBytesRead }
    public var decompressedBytesRead: Int64 { xml.bytesRead }

    public init(input: DiscoveredInput, stream: ByteStream, options: ReaderOptions) throws {
        self.input = input
        xml = try XMLStreamReader(stream: stream)
        namespacesToKeep = options.namespaces
        cleaner = options.wikitext == .plain ? WikitextCleaner() : nil
        fixedSource = options.sourceName
        pathSource = derivedSourceName(forPath: input.path)
    }

    public func next() throws -> Document? {
        guard !finished else { return nil }
        do {
            while try xml.read() {
                if let document = try handleNode() {
                    counters.add("reader.documents")
                    return document
                }
            }
        } catch {
            finished = true
            throw error
        }
        finished = true
        return nil
    }

    private func handleNode() throws -> Document? {
        switch xml.nodeType {
        case XML_READER_TYPE_ELEMENT:
            let name = xml.localName
            try startElement(name)
            if xml.isEmptyElement {
                return endElement(name)
            }
            elements.append(name)
        case XML_READER_TYPE_END_ELEMENT:
            let name = elements.removeLast()
            return endElement(name)
        case XML_READER_TYPE_TEXT, XML_READER_TYPE_CDATA, XML_READER_TYPE_SIGNIFICANT_WHITESPACE, XML_READER_TYPE_WHITESPACE:
            if let capture {
                if capture == .text { xml.appendValue(to: &revisionText) } else { xml.appendValue(to: &captured) }
            }
        default:
            break
        }
        return nil
    }

    private func startElement(_ name: String) throws {
        let depth = elements.count
        if depth == 0 {
            guard name == "mediawiki" else {
                throw YiError(.unknownFormat, "not a MediaWiki export: the root element is <\(name)>, not <mediawiki>",
                              context: .init(path: input.path, line: xml.line))
            }
            return
        }
        let parent = elements[depth - 1]
        switch (parent, name) {
        case ("mediawiki", "page") where depth == 1:
            page = MediaWikiPage(line: xml.line, byteOffset: xml.bytesConsumedAtNode)
            pageText.removeAll(keepingCapacity: pageText.count < 1 << 24)
        case ("siteinfo", "dbname"):
            capture = .dbName
        case ("namespaces", "namespace"):
            namespaceKey = xml.attribute("key").flatMap { Int($0) }
            capture = .namespaceName
        case ("page", "title") where depth == 2: capture = .title
        case ("page", "ns") where depth == 2: capture = .namespace
        case ("page", "id") where depth == 2: capture = .pageID
        case ("page", "redirect") where depth == 2: page?.isRedirect = true
        case ("page", "revision") where depth == 2:
            revision = MediaWikiPage.Revision()
            revisionText.removeAll(keepingCapacity: revisionText.count < 1 << 24)
        case ("revision", "id") where depth == 3: capture = .revisionID
        case ("revision", "timestamp") where depth == 3: capture = .timestamp
        case ("revision", "text") where depth == 3:
            revision.hasText = true
            revision.textDeleted = xml.attribute("deleted") != nil
            capture = .text
        default:
            break
        }
        if capture != nil && capture != .text { captured.removeAll(keepingCapacity: true) }
    }

    private func endElement(_ name: String) -> Document? {
        if let target = capture, elementEndsCapture(name, target) {
            finishCapture(target)
            capture = nil
        }
        switch name {
        case "revision" where elements.count == 2:
            if revision.supersedes(page?.revision) {
                page?.revision = revision
                swap(&pageText, &revisionText)
            }
        case "page" where elements.count == 1:
            guard let finishedPage = page else { return nil }
            page = nil
            return document(from: finishedPage)
        default:
            break
        }
        return nil
    }

    private func elementEndsCapture(_ name: String, _ capture: Capture) -> Bool {
        switch capture {
        case .dbName: return name == "dbname"
        case .namespaceName: return name == "namespace"
        case .title: return name == "title"
        case .namespace: return name == "ns"
        case .pageID, .revisionID: return name == "id"
        case .timestamp: return name == "timestamp"
        case .text: return name == "text"
        }
    }

    private func finishCapture(_ target: Capture) {
        let value = String(decoding: captured, as: UTF8.self)
        switch target {
        case .dbName: siteName = value.trimmingASCIIWhitespace()
        case .namespaceName:
            if let key = namespaceKey { namespaceNames.add(name: value, number: key) }
        case .title: page?.title = value
        case .namespace: page?.namespace = Int(value.trimmingASCIIWhitespace())
        case .pageID: page?.pageID = value.trimmingASCIIWhitespace()
        case .revisionID: revision.id = value.trimmingASCIIWhitespace()
        case .timestamp: revision.timestamp = value.trimmingASCIIWhitespace()
        case .text: break
        }
    }

    private func document(from page: MediaWikiPage) -> Document? {
        counters.add("reader.pages")
        let table = namespaceNames.isEmpty ? NamespaceTable.canonical : namespaceNames
        let namespace = page.namespace ?? table.namespace(ofTitle: page.title)
        guard namespacesToKeep.contains(namespace) else {
            counters.add("reader.skipped.namespace")
            return nil
        }
        if page.isRedirect || Self.isRedirectText(pageText) {
            counters.add("reader.skipped.redirect")
            return nil
        }
        guard let revision = page.revision, revision.hasText, !revision.textDeleted,
              pageText.contains(where: { !Self.isASCIIWhitespace($0) }) else {
            counters.add("reader.skipped.empty-page")
            return nil
        }
        let wikitext = String(decoding: pageText, as: UTF8.self)
        let text = cleaner.map { $0.plainText(from: wikitext) } ?? wikitext
        if JSONLDocumentSource.isEmptyText(text) {
            counters.add("reader.skipped.empty-after-cleaning")
            return nil
        }
        var meta: [String: JSONValue] = ["title": .string(page.title), "namespace": .int(Int64(namespace))]
        if let id = page.pageID { meta["page_id"] = Int64(id).map(JSONValue.int) ?? .string(id) }
        if let id = revision.id { meta["revision_id"] = Int64(id).map(JSONValue.int) ?? .string(id) }
        if let timestamp = revision.timestamp { meta["timestamp"] = .string(timestamp) }
        let id = page.pageID.flatMap { $0.isEmpty ? nil : $0 } ?? "\(input.path):\(page.line)"
        return Document(id: id, source: fixedSource ?? siteName ?? pathSource, text: text, meta: meta,
                        location: SourceLocation(path: input.path, line: page.line, byteOffset: page.byteOffset))
    }

    /// `#REDIRECT [[Target]]`, for exports older than the `<redirect>` element (English magic
    /// word only: localized ones are not listed in dumps).
    static func isRedirectText(_ text: [UInt8]) -> Bool {
        let marker = Array("#redirect".utf8)
        guard let start = text.firstIndex(where: { !isASCIIWhitespace($0) }), text.count - start >= marker.count else { return false }
        for (k, m) in marker.enumerated() where text[start + k] | 0x20 != m && text[start + k] != m {
            return false
        }
        return true
    }

    private static func isASCIIWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || (0x09...0x0D).contains(b)
    }
}

private extension String {
    func trimmingASCIIWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
