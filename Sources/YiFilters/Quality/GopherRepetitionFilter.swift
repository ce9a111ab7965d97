import YiCore

/// An n-gram size with the largest fraction of the text's characters it may cover.
public struct NGramLimit: Sendable, Equatable {
    public var n: Int
    public var maxFraction: Double
    public init(_ n: Int, _ maxFraction: Double) {
        self.n = n
        self.maxFraction = maxFraction
    }
}

/// Thresholds of Gopher's repetition rules (Rae et al. 2021, table A1) for one language family.
/// `nil` switches a check off.
public struct GopherRepetitionThresholds: Sendable, Equatable {
    public var maxDuplicateParagraphFraction: Double?
    public var maxDuplicateParagraphCharacterFraction: Double?
    public var maxDuplicateLineFraction: Double?
    public var maxDuplicateLineCharacterFraction: Double?
    /// Characters covered by the most frequent n-gram (n tokens).
    public var topNGrams: [NGramLimit]
    /// Characters covered by n-grams that repeat an earlier one.
    public var duplicateNGrams: [NGramLimit]

    public init(maxDuplicateParagraphFraction: Double?, maxDuplicateParagraphCharacterFraction: Double?,
                maxDuplicateLineFraction: Double?, maxDuplicateLineCharacterFraction: Double?,
                topNGrams: [NGramLimit], duplicateNGrams: [NGramLimit]) {
        self.maxDuplicateParagraphFraction = maxDuplicateParagraphFraction
        self.maxDuplicateParagraphCharacterFraction = maxDuplicateParagraphCharacterFraction
        self.maxDuplicateLineFraction = maxDuplicateLineFraction
        self.maxDuplicateLineCharacterFraction = maxDuplicateLineCharacterFraction
        self.topNGrams = topNGrams
        self.duplicateNGrams = duplicateNGrams
    }

    /// Gopher's table A1 exactly.
    public static let gopherPaper = GopherRepetitionThresholds(
        maxDuplicateParagraphFraction: 0.3, maxDuplicateParagraphCharacterFraction: 0.2,
        maxDuplicateLineFraction: 0.3, maxDuplicateLineCharacterFraction: 0.2,
        topNGrams: [NGramLimit(2, 0.2), NGramLimit(3, 0.18), NGramLimit(4, 0.16)],
        duplicateNGrams: [NGramLimit(5, 0.15), NGramLimit(6, 0.14), NGramLimit(7, 0.13),
                          NGramLimit(8, 0.12), NGramLimit(9, 0.11), NGramLimit(10, 0.10)])

    /// For Chinese/Japanese a token is one character, shorter than an English word (a Chinese
    /// word is ~1.5–2 characters, an English word ~5 letters plus a space). Gopher's n-gram sizes
    /// would compare single characters and character pairs, which repeat in any normal text.
    /// We keep Gopher's fractions and double the n-gram sizes so each n-gram spans about as
    /// much language as Gopher's.
    public static let unspacedDefault = GopherRepetitionThresholds(
        maxDuplicateParagraphFraction: 0.3, maxDuplicateParagraphCharacterFraction: 0.2,
        maxDuplicateLineFraction: 0.3, maxDuplicateLineCharacterFraction: 0.2,
        topNGrams: [NGramLimit(4, 0.2), NGramLimit(6, 0.18), NGramLimit(8, 0.16)],
        duplicateNGrams: [NGramLimit(10, 0.15), NGramLimit(12, 0.14), NGramLimit(14, 0.13),
                          NGramLimit(16, 0.12), NGramLimit(18, 0.11), NGramLimit(20, 0.10)])
}

public struct GopherRepetitionOptions: Sendable, Equatable {
    public var spaced: GopherRepetitionThresholds
    public var unspaced: GopherRepetitionThresholds
    public var unspacedWordFraction: Double

    public init(spaced: GopherRepetitionThresholds = .gopherPaper,
                unspaced: GopherRepetitionThresholds = .unspacedDefault, unspacedWordFraction: Double = 0.5) {
        self.spaced = spaced
        self.unspaced = unspaced
        self.unspacedWordFraction = unspacedWordFraction
    }

    public func thresholds(for family: LanguageFamily) -> GopherRepetitionThresholds {
        family == .spaced ? spaced : unspaced
    }
}

/// Gopher's repetition rules in datatrove's order: duplicate paragraphs (by count, by
/// characters), duplicate lines (by count, by characters), top n-gram character fractions,
/// duplicated n-gram character fractions. Fractions of characters are of the whole text.
///
/// N-gram character lengths follow datatrove: a top n-gram counts its tokens' characters plus
/// one space between spaced tokens (datatrove joins with " "); duplicated n-grams count their
/// tokens' characters only (datatrove joins with ""). Between Han/Kana tokens no space is
/// counted, as none is written. Duplicated n-grams are counted greedily from the left, skipping
/// past each repeat, exactly as datatrove's `find_all_duplicate`.
///
/// N-grams are compared by a 64-bit polynomial hash of their token hashes (a false match needs a
/// 64-bit collision inside one document).
public struct GopherRepetitionFilter: DocumentFilter {
    public var name: String { "gopher-repetition" }
    public let options: GopherRepetitionOptions
    private var analyzer = TextAnalyzer()
    private var ngrams = NGramScratch()

    public init(options: GopherRepetitionOptions = GopherRepetitionOptions()) {
        self.options = options
    }

    public mutating func verdict(for document: Document) -> FilterVerdict {
        let analysis = analyzer.analyze(document.text, keepTokens: true)
        if let reason = reason(for: analysis, tokens: analyzer) { return .drop(reason: reason) }
        return .keep
    }

    mutating func reason(for a: TextAnalysis, tokens: TextAnalyzer) -> String? {
        let t = options.thresholds(for: LanguageFamily.of(a, unspacedThreshold: options.unspacedWordFraction))
        guard a.characters > 0 else { return nil }
        let characters = Double(a.characters)
        if a.paragraphs > 0 {
            if let max = t.maxDuplicateParagraphFraction, Double(a.duplicateParagraphs) / Double(a.paragraphs) > max {
                return GopherReason.duplicateParagraphs
            }
            if let max = t.maxDuplicateParagraphCharacterFraction,
               Double(a.duplicateParagraphCharacters) / characters > max {
                return GopherReason.duplicateParagraphCharacters
            }
        }
        if a.nonBlankLines > 0 {
            if let max = t.maxDuplicateLineFraction, Double(a.duplicateLines) / Double(a.nonBlankLines) > max {
                return GopherReason.duplicateLines
            }
            if let max = t.maxDuplicateLineCharacterFraction, Double(a.duplicateLineCharacters) / characters > max {
                return GopherReason.duplicateLineCharacters
            }
        }
        if t.topNGrams.isEmpty && t.duplicateNGrams.isEmpty { return nil }
        ngrams.load(tokens)
        for limit in t.topNGrams {
            if Double(ngrams.topNGramCharacters(n: limit.n)) / characters > limit.maxFraction {
                return GopherReason.topNGram(limit.n)
            }
        }
        for limit in t.duplicateNGrams {
            if Double(ngrams.duplicateNGramCharacters(n: limit.n)) / characters > limit.maxFraction {
                return GopherReason.duplicateNGram(limit.n)
            }
        }
        return nil
    }
}
