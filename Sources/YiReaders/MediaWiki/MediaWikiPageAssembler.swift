import YiCore

/// Turns the SAX events of a MediaWiki export into documents, one per complete `<page>`.
///
/// Only the elements that matter are tracked (by their path under the root); the wikitext of the
/// revision being read goes straight into a reused buffer, which is swapped with the page's when
/// that revision is the newest so far.
final class MediaWikiPageAssembler {
    let path: String
    private let namespacesToKeep: Set<Int>
    private let cleaner: WikitextCleaner?
    private let fixedSource: String?
    private let pathSource: String
    /// See `MediaWikiDocumentSource.defaultMaximumPageTextBytes`.
    let maximumTextBytes: Int
    private(set) var counters = Counters()
    /// A problem that ends the file (not a MediaWiki export).
    private(set) var fatalError: YiError?
    private var completed: [Document] = []

    private var elements: [String] = []
    private var capture: Capture?
    private var captured: [UInt8] = []
    private var page: MediaWikiPage?
    private var revision = MediaWikiPage.Revision()
    private var revisionText: [UInt8] = []
    private var pageText: [UInt8] = []
    private var siteName: String?
    private var namespaceNames = NamespaceTable()
    private var namespaceKey: Int?

    /// What the characters inside the current element are collected for.
    private enum Capture {
        case dbName, namespaceName, title, namespace, pageID, revisionID, timestamp, text
    }

    init(path: String, options: ReaderOptions, maximumTextBytes: Int = MediaWikiDocumentSource.defaultMaximumPageTextBytes) {
        self.path = path
        self.maximumTextBytes = maximumTextBytes
        namespacesToKeep = options.namespaces
        cleaner = options.wikitext == .plain ? WikitextCleaner() : nil
        fixedSource = options.sourceName
        pathSource = derivedSourceName(forPath: path)
    }

    /// Documents finished since the last call.
    func takeCompleted() -> [Document] {
        defer { completed.removeAll(keepingCapacity: true) }
        return completed
    }

    func startElement(_ name: String, attributes: XMLAttributes, line: Int, byteOffset: Int64) {
        let depth = elements.count
        elements.append(name)
        if depth == 0 {
            if name != "mediawiki" {
                fatalError = YiError(.unknownFormat, "not a MediaWiki export: the root element is <\(name)>, not <mediawiki>",
                                     context: .init(path: path, line: line))
            }
            return
        }
        switch (elements[depth - 1], name) {
        case ("mediawiki", "page") where depth == 1:
            page = MediaWikiPage(line: line, byteOffset: byteOffset)
            pageText.removeAll(keepingCapacity: pageText.capacity < 1 << 24)
        case ("siteinfo", "dbname"):
            capture = .dbName
        case ("namespaces", "namespace"):
            namespaceKey = attributes.value("key").flatMap { Int($0) }
            capture = .namespaceName
        case ("page", "title") where depth == 2: capture = .title
        case ("page", "ns") where depth == 2: capture = .namespace
        case ("page", "id") where depth == 2: capture = .pageID
        case ("page", "redirect") where depth == 2: page?.isRedirect = true
        case ("page", "revision") where depth == 2:
            revision = MediaWikiPage.Revision()
            revisionText.removeAll(keepingCapacity: revisionText.capacity < 1 << 24)
        case ("revision", "id") where depth == 3: capture = .revisionID
        case ("revision", "timestamp") where depth == 3: capture = .timestamp
        case ("revision", "text") where depth == 3:
            revision.hasText = true
            revision.textDeleted = attributes.value("deleted") != nil
            capture = .text
        default:
            return
        }
        if capture != .text { captured.removeAll(keepingCapacity: true) }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch capture {
        case .text?:
            if revision.textTooLarge { break }
            if revisionText.count + bytes.count > maximumTextBytes {
                revision.textTooLarge = true
                revisionText.removeAll()
            } else {
                revisionText.append(contentsOf: bytes)
            }
        case .some: captured.append(contentsOf: bytes)
        case nil: break
        }
    }

    func endElement(_ name: String) {
        elements.removeLast()
        if let target = capture, elements.count == captureDepth(target) {
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
            if let finishedPage = page, let document = document(from: finishedPage) {
                counters.add("reader.documents")
                completed.append(document)
            }
            page = nil
        default:
            break
        }
    }

    /// The depth of the element a capture belongs to, reached again when it ends.
    private func captureDepth(_ capture: Capture) -> Int {
        switch capture {
        case .dbName: return 2
        case .namespaceName: return 3
        case .title, .namespace, .pageID: return 2
        case .revisionID, .timestamp, .text: return 3
        }
    }

    private func finishCapture(_ target: Capture) {
        let value = String(decoding: captured, as: UTF8.self)
        switch target {
        case .dbName:
            let name = value.trimmingWhitespace()
            if !name.isEmpty { siteName = name }
        case .namespaceName:
            if let key = namespaceKey { namespaceNames.add(name: value, number: key) }
        case .title: page?.title = value
        case .namespace: page?.namespace = Int(value.trimmingWhitespace())
        case .pageID: page?.pageID = value.trimmingWhitespace()
        case .revisionID: revision.id = value.trimmingWhitespace()
        case .timestamp: revision.timestamp = value.trimmingWhitespace()
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
        if page.revision?.textTooLarge == true {
            counters.add("reader.skipped.page-too-large")
            return nil
        }
        if page.isRedirect || Self.isRedirectText(pageText) {
            counters.add("reader.skipped.redirect")
            return nil
        }
        guard let revision = page.revision, revision.hasText, !revision.textDeleted,
              !TextChecks.isBlank(pageText) else {
            counters.add("reader.skipped.empty-page")
            return nil
        }
        // libxml2 hands out UTF-8; checking it with the fast validator is cheaper than the
        // standard library's own check, and a (never expected) bad byte is still repaired.
        let wikitext = pageText.withUnsafeBufferPointer { UTF8Text.string($0, isASCII: false) ?? String(decoding: $0, as: UTF8.self) }
        let text = cleaner.map { $0.plainText(from: wikitext) } ?? wikitext
        if TextChecks.isEmptyText(text) {
            counters.add("reader.skipped.empty-after-cleaning")
            return nil
        }
        var meta: [String: JSONValue] = ["title": .string(page.title), "namespace": .int(Int64(namespace))]
        if let id = page.pageID { meta["page_id"] = Int64(id).map(JSONValue.int) ?? .string(id) }
        if let id = revision.id { meta["revision_id"] = Int64(id).map(JSONValue.int) ?? .string(id) }
        if let timestamp = revision.timestamp { meta["timestamp"] = .string(timestamp) }
        let id = page.pageID.flatMap { $0.isEmpty ? nil : $0 } ?? "\(path):\(page.line)"
        return Document(id: id, source: fixedSource ?? siteName ?? pathSource, text: text, meta: meta,
                        location: SourceLocation(path: path, line: page.line, byteOffset: page.byteOffset))
    }

    /// `#REDIRECT [[Target]]`, for exports older than the `<redirect>` element (English magic
    /// word only: localized ones are not listed in dumps).
    static func isRedirectText(_ text: [UInt8]) -> Bool {
        let marker = Array("#redirect".utf8)
        guard let start = text.firstIndex(where: { !TextChecks.isASCIIWhitespace($0) }), text.count - start >= marker.count else { return false }
        for (k, m) in marker.enumerated() where text[start + k] | 0x20 != m {
            return false
        }
        return true
    }
}
