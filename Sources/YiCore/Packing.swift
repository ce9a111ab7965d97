/// Types shared by the packer (YiPacking), the shard writer/reader (YiShards) and the pipeline.

/// One document's tokens inside a packed sequence.
public struct DocumentSpan: Sendable, Equatable, Hashable {
    /// Index of the span's first token in the sequence.
    public var offset: Int
    /// Number of tokens (the document's EOS included when this span holds the document's end).
    public var length: Int
    /// The document's position in the input order (0-based over documents that reached the packer).
    public var documentOrdinal: Int
    /// 0 for a whole document or the first chunk of a split one; k for the k-th later chunk.
    public var part: Int
    /// True when this span ends the document (its EOS is the span's last token).
    public var isDocumentEnd: Bool
    /// Index into the run's source table (manifest `sources`), for per-source statistics.
    public var sourceIndex: Int

    public init(offset: Int, length: Int, documentOrdinal: Int, part: Int = 0, isDocumentEnd: Bool = true, sourceIndex: Int = 0) {
        self.offset = offset
        self.length = length
        self.documentOrdinal = documentOrdinal
        self.part = part
        self.isDocumentEnd = isDocumentEnd
        self.sourceIndex = sourceIndex
    }
}

/// A finished training sequence of exactly `tokens.count` == bucket length tokens: document spans
/// in order from offset 0, then padding (pad id) up to the end.
public struct PackedSequence: Sendable, Equatable {
    public var tokens: [TokenID]
    public var spans: [DocumentSpan]

    public init(tokens: [TokenID], spans: [DocumentSpan]) {
        self.tokens = tokens
        self.spans = spans
    }

    /// Tokens that belong to documents (the rest is padding).
    public var documentTokens: Int { spans.reduce(0) { $0 + $1.length } }
    public var padTokens: Int { tokens.count - documentTokens }
}

/// Something that turns text into token ids and back. The SentencePiece tokenizer conforms;
/// modules that only need to count or build text (evaluation sets, filters) depend on this.
public protocol TextTokenizer: Sendable {
    func encode(_ text: String) -> [TokenID]
    func decode(_ ids: [TokenID]) -> String
    var vocabularySize: Int { get }
    var bosID: TokenID? { get }
    var eosID: TokenID? { get }
}
