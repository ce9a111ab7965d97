import YiCore

/// What to do with MediaWiki markup.
public enum WikitextMode: String, Sendable, CaseIterable {
    /// Run the text through `WikitextCleaner` (templates, tables, refs removed; links to text).
    case plain
    /// Keep the wikitext as it is in the dump.
    case raw
}

/// How records become documents; one value for a whole run (`--text-field`, `--namespaces`, ...).
public struct ReaderOptions: Sendable {
    /// JSONL field holding the document text; dots walk into nested objects (`meta.content`).
    public var textField: String
    /// JSONL field holding the document id (string or number); missing: `file:line`.
    public var idField: String
    /// JSONL field naming the document's source (`source`, `meta.redpajama_set_name`); nil or
    /// missing in a record: the dump's wiki name for XML, else a name derived from the file path.
    public var sourceField: String?
    /// A fixed source name for every document of the input (a pipeline entry's `source:`); it
    /// wins over `sourceField`.
    public var sourceName: String?
    /// MediaWiki namespaces to keep (0 = articles).
    public var namespaces: Set<Int>
    public var wikitext: WikitextMode
    /// JSONL records are conversations (`messages` / `conversations`) rendered by this chat
    /// template instead of a text field; nil: plain text.
    public var chat: ChatOptions?

    public init(textField: String = "text", idField: String = "id", sourceField: String? = "source",
                sourceName: String? = nil, namespaces: Set<Int> = [0], wikitext: WikitextMode = .plain,
                chat: ChatOptions? = nil) {
        self.chat = chat
        self.textField = textField
        self.idField = idField
        self.sourceField = sourceField
        self.sourceName = sourceName
        self.namespaces = namespaces
        self.wikitext = wikitext
    }
}
