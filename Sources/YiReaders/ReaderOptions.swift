import YiCore
import YiIO

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

    public init(textField: String = "text", idField: String = "id", sourceField: String? = "source",
                sourceName: String? = nil, namespaces: Set<Int> = [0], wikitext: WikitextMode = .plain) {
        self.textField = textField
        self.idField = idField
        self.sourceField = sourceField
        self.sourceName = sourceName
        self.namespaces = namespaces
        self.wikitext = wikitext
    }
}

/// A document source for one input file, with what the pipeline needs to show progress.
///
/// Follows `DocumentSource`'s contract: record problems go to the `RejectLog` and reading goes
/// on; damage to the file throws `YiError(.corruptInput)` after every good document before it was
/// returned, and the source then ends. Not thread-safe: one source per worker.
public protocol InputDocumentSource: DocumentSource, AnyObject {
    var input: DiscoveredInput { get }
    /// Bytes read from the file on disk so far (compressed bytes for compressed files); compare
    /// with `input.size` for progress.
    var fileBytesRead: Int64 { get }
    /// Bytes of decompressed content read so far.
    var decompressedBytesRead: Int64 { get }
    /// What the reader skipped on purpose, by reason (`reader.skipped.redirect`, ...), and
    /// `reader.documents`, the documents it returned. Rejected records are counted by the
    /// `RejectLog` instead.
    var counters: Counters { get }
}

/// Opens the reader for a discovered input: JSONL or MediaWiki XML, decompressing as needed.
public func openDocumentSource(for input: DiscoveredInput, options: ReaderOptions, rejects: RejectLog) throws -> any InputDocumentSource {
    let stream = try openByteStream(path: input.path, compression: input.compression)
    switch input.format {
    case .jsonl:
        return try JSONLDocumentSource(input: input, stream: stream, options: options, rejects: rejects)
    case .mediaWikiXML:
        return try MediaWikiDocumentSource(input: input, stream: stream, options: options)
    }
}
