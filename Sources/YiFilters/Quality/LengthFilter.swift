import YiCore

/// Drops documents with fewer or more characters (Unicode scalars) than the bounds (inclusive).
/// Counting scalars is one pass over the UTF-8 bytes (every byte that is not a continuation byte).
public struct CharacterLengthFilter: DocumentFilter {
    public var name: String { "length" }
    public var minCharacters: Int?
    public var maxCharacters: Int?

    public static let tooShort = "length.too-few-chars"
    public static let tooLong = "length.too-many-chars"

    public init(minCharacters: Int? = nil, maxCharacters: Int? = nil) {
        self.minCharacters = minCharacters
        self.maxCharacters = maxCharacters
    }

    public mutating func verdict(for document: Document) -> FilterVerdict {
        let utf8 = document.text.utf8
        // Scalars ≤ bytes: most documents are decided without counting.
        if let min = minCharacters, utf8.count < min { return .drop(reason: Self.tooShort) }
        if minCharacters == nil, maxCharacters.map({ utf8.count <= $0 }) ?? true { return .keep }
        let characters = CharacterLengthFilter.scalarCount(document.text)
        if let min = minCharacters, characters < min { return .drop(reason: Self.tooShort) }
        if let max = maxCharacters, characters > max { return .drop(reason: Self.tooLong) }
        return .keep
    }

    /// Unicode scalars in `text` (Python's `len(str)`).
    public static func scalarCount(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var continuation = 0
            for byte in bytes where byte & 0xC0 == 0x80 { continuation += 1 }
            return bytes.count - continuation
        }
    }
}

/// Drops tokenized documents by token count (inclusive bounds). It runs after the tokenizer,
/// so it takes the count rather than a `Document`; `TokenizedDocumentFilter` lets the pipeline
/// hold it next to the text filters.
public struct TokenLengthFilter: TokenizedDocumentFilter, Sendable, Equatable {
    public var name: String { "token-length" }
    public var minTokens: Int?
    public var maxTokens: Int?

    public static let tooShort = "length.too-few-tokens"
    public static let tooLong = "length.too-many-tokens"

    public init(minTokens: Int? = nil, maxTokens: Int? = nil) {
        self.minTokens = minTokens
        self.maxTokens = maxTokens
    }

    public func verdict(tokenCount: Int) -> FilterVerdict {
        if let min = minTokens, tokenCount < min { return .drop(reason: Self.tooShort) }
        if let max = maxTokens, tokenCount > max { return .drop(reason: Self.tooLong) }
        return .keep
    }

    public mutating func verdict(for document: TokenizedDocument) -> FilterVerdict {
        verdict(tokenCount: document.tokens.count)
    }
}

/// A filter applied after tokenization (see `TokenLengthFilter`).
public protocol TokenizedDocumentFilter {
    var name: String { get }
    mutating func verdict(for document: TokenizedDocument) -> FilterVerdict
}
