/// What one pass over a document's UTF-8 bytes measured (see `TextAnalyzer` for the definitions).
///
/// "Characters" are Unicode scalars throughout (Python's `len(str)`), so fractions match the
/// datatrove/Gopher definitions on the same text.
public struct TextAnalysis: Sendable, Equatable {
    /// Unicode scalars in the text.
    public var characters = 0
    /// All tokens: words and symbol tokens (runs of punctuation/symbols).
    public var tokens = 0
    /// Tokens that are words (contain a letter, digit or mark): Gopher's "non-symbol words".
    public var words = 0
    /// Characters inside words (for the mean word length).
    public var wordCharacters = 0
    /// Tokens with at least one alphabetic character (Python `str.isalpha` on some character).
    public var alphabeticTokens = 0
    /// Words that are a single Han or Kana character.
    public var unspacedWords = 0
    /// `#` characters.
    public var hashSigns = 0
    /// Non-overlapping `...` plus `…` marks (Python `text.count("...") + text.count("…")`, except
    /// that the Chinese ellipsis `……` counts once).
    public var ellipses = 0
    /// Lines as Python's `str.splitlines()` gives them (blank lines included).
    public var lines = 0
    /// Lines whose first non-space character is a bullet (`•`, `-`, `*`, `‣`, `◦`, `▪`, `●`, ...).
    public var bulletLines = 0
    /// Lines whose last non-space characters are `...` or `…`.
    public var ellipsisLines = 0
    /// Lines with a non-space character; the repetition checks work on these.
    public var nonBlankLines = 0
    /// Non-blank lines equal to an earlier line, and their characters.
    public var duplicateLines = 0
    public var duplicateLineCharacters = 0
    /// Paragraphs: runs of non-blank lines separated by blank (empty or whitespace-only) lines.
    public var paragraphs = 0
    public var duplicateParagraphs = 0
    public var duplicateParagraphCharacters = 0
    /// Letters by script, indexed by `Script.rawValue` (index 0 unused).
    public var scriptLetters = [Int](repeating: 0, count: 32)

    public init() {}

    /// Letters attributed to any script.
    public var letters: Int { scriptLetters.reduce(0, +) }

    /// Fraction of words that are Han/Kana characters: decides the language family.
    public var unspacedWordFraction: Double { words == 0 ? 0 : Double(unspacedWords) / Double(words) }

    public var meanWordLength: Double { words == 0 ? 0 : Double(wordCharacters) / Double(words) }
}
