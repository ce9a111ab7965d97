/// The parts of a `<page>` we keep while its elements stream by.
struct MediaWikiPage {
    var title = ""
    /// From `<ns>`; older exports have none, and the title's prefix decides.
    var namespace: Int?
    var pageID: String?
    /// A `<redirect title=…/>` element was present.
    var isRedirect = false
    /// Where `<page>` started, for documents without an id and for messages.
    var line = 0
    var byteOffset: Int64 = 0
    /// The newest revision seen so far (full-history exports hold many); nil before the first.
    var revision: Revision?

    struct Revision {
        var id: String?
        var timestamp: String?
        /// The revision has a `<text>` element (its bytes are kept by the reader's buffers).
        var hasText = false
        /// `<text deleted="deleted"/>`: the content was suppressed.
        var textDeleted = false
        /// The text passed the reader's limit; the rest of it was not kept and the page is skipped.
        var textTooLarge = false

        /// True when `self` should replace `current` as the page's revision: the later timestamp
        /// (ISO 8601 strings order like time), or the later position when timestamps are equal
        /// or missing.
        func supersedes(_ current: Revision?) -> Bool {
            guard let current, let mine = timestamp, let theirs = current.timestamp else { return true }
            return mine >= theirs
        }
    }
}

/// MediaWiki's namespace numbers by name, for pages without `<ns>`: the wiki's own names from
/// `<siteinfo><namespaces>` when the dump has them, else the canonical English ones.
struct NamespaceTable {
    private var numbers: [String: Int]

    static let canonical = NamespaceTable(numbers: [
        "Media": -2, "Special": -1, "Talk": 1, "User": 2, "User talk": 3, "Project": 4, "Project talk": 5,
        "File": 6, "Image": 6, "File talk": 7, "Image talk": 7, "MediaWiki": 8, "MediaWiki talk": 9,
        "Template": 10, "Template talk": 11, "Help": 12, "Help talk": 13, "Category": 14, "Category talk": 15,
    ])

    init(numbers: [String: Int] = [:]) { self.numbers = numbers }

    var isEmpty: Bool { numbers.isEmpty }

    mutating func add(name: String, number: Int) {
        guard !name.isEmpty else { return }
        numbers[name] = number
    }

    /// The namespace a title's prefix names (`Talk:Foo` → 1), 0 when it names none.
    func namespace(ofTitle title: String) -> Int {
        guard let colon = title.firstIndex(of: ":") else { return 0 }
        let prefix = title[..<colon].replacingUnderscores()
        return numbers[prefix] ?? 0
    }
}

private extension Substring {
    func replacingUnderscores() -> String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
