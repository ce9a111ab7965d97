/// A token id. Yi's 64,000 ids (and any SentencePiece vocabulary) fit in 32 bits.
public typealias TokenID = UInt32

/// Where a record came from in its input file, for rejects and error messages.
public struct SourceLocation: Sendable, Equatable, Hashable {
    public var path: String
    /// 1-based line for line formats; nil where lines mean nothing (XML pages use byteOffset).
    public var line: Int?
    /// Byte offset of the record's start in the decompressed stream.
    public var byteOffset: Int64?

    public init(path: String, line: Int? = nil, byteOffset: Int64? = nil) {
        self.path = path
        self.line = line
        self.byteOffset = byteOffset
    }
}

/// One document flowing through the pipeline.
public struct Document: Sendable {
    /// From the record (`id` field, page id) or `file:line` when it has none.
    public var id: String
    /// The source name used for per-source statistics and mixing.
    public var source: String
    public var text: String
    /// Other fields of the record (JSONL fields besides the text, page title/timestamp...).
    public var meta: [String: JSONValue]
    public var location: SourceLocation
    /// Set for a conversation rendered by a chat template (`--chat yi`): `text` is the rendered
    /// conversation and this says which of its bytes are trained. Nil for plain text.
    public var chat: ChatLayout?

    public init(id: String, source: String, text: String, meta: [String: JSONValue] = [:], location: SourceLocation) {
        self.id = id
        self.source = source
        self.text = text
        self.meta = meta
        self.location = location
        self.chat = nil
    }

    /// A rendered conversation.
    public init(id: String, source: String, text: String, meta: [String: JSONValue] = [:], location: SourceLocation,
                chat: ChatLayout?) {
        self.init(id: id, source: source, text: text, meta: meta, location: location)
        self.chat = chat
    }
}

/// A tokenized document on its way to the packer. `ordinal` is its position in the input order,
/// which the pipeline keeps so that output is identical for any number of threads.
public struct TokenizedDocument: Sendable {
    public var ordinal: Int
    public var source: String
    public var tokens: [TokenID]
    /// UTF-8 bytes of the text that produced the tokens (for tokens-per-byte statistics).
    public var textBytes: Int

    public init(ordinal: Int, source: String, tokens: [TokenID], textBytes: Int) {
        self.ordinal = ordinal
        self.source = source
        self.tokens = tokens
        self.textBytes = textBytes
    }
}
