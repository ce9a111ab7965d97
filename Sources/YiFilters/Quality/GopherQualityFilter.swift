import YiCore

/// Thresholds of Gopher's quality rules (Rae et al. 2021, appendix A1) for one language family.
/// `nil` switches a check off.
public struct GopherQualityThresholds: Sendable, Equatable {
    /// Words (tokens that are not only punctuation/symbols), inclusive bounds.
    public var minWords: Int?
    public var maxWords: Int?
    /// Mean characters per word, inclusive bounds.
    public var minMeanWordLength: Double?
    public var maxMeanWordLength: Double?
    /// Maximum of `#` per token and of ellipses (`...`, `…`) per token.
    public var maxSymbolWordRatio: Double?
    /// Maximum fraction of lines starting with a bullet.
    public var maxBulletLineFraction: Double?
    /// Maximum fraction of lines ending with an ellipsis.
    public var maxEllipsisLineFraction: Double?
    /// Minimum fraction of tokens containing an alphabetic character.
    public var minAlphabeticWordFraction: Double?
    /// Minimum number of tokens that are stop words (exact, case-sensitive match).
    public var minStopWords: Int?
    public var stopWords: [String]

    public init(minWords: Int?, maxWords: Int?, minMeanWordLength: Double?, maxMeanWordLength: Double?,
                maxSymbolWordRatio: Double?, maxBulletLineFraction: Double?, maxEllipsisLineFraction: Double?,
                minAlphabeticWordFraction: Double?, minStopWords: Int?, stopWords: [String]) {
        self.minWords = minWords
        self.maxWords = maxWords
        self.minMeanWordLength = minMeanWordLength
        self.maxMeanWordLength = maxMeanWordLength
        self.maxSymbolWordRatio = maxSymbolWordRatio
        self.maxBulletLineFraction = maxBulletLineFraction
        self.maxEllipsisLineFraction = maxEllipsisLineFraction
        self.minAlphabeticWordFraction = minAlphabeticWordFraction
        self.minStopWords = minStopWords
        self.stopWords = stopWords
    }

    /// Gopher's values exactly (as datatrove's `GopherQualityFilter` defaults).
    public static let gopherPaper = GopherQualityThresholds(
        minWords: 50, maxWords: 100_000, minMeanWordLength: 3, maxMeanWordLength: 10,
        maxSymbolWordRatio: 0.1, maxBulletLineFraction: 0.9, maxEllipsisLineFraction: 0.3,
        minAlphabeticWordFraction: 0.8, minStopWords: 2,
        stopWords: ["the", "be", "to", "of", "and", "that", "have", "with"])

    /// yi-prep's default for spaced scripts: Gopher's values without the 100,000-word ceiling,
    /// which would drop exactly the books a long-context recipe wants.
    public static let spacedDefault: GopherQualityThresholds = {
        var t = gopherPaper
        t.maxWords = nil
        return t
    }()

    /// yi-prep's default for Chinese/Japanese (one word per Han/Kana character):
    /// - 100 words ≈ 50–60 English words, the same amount of text as Gopher's minimum;
    /// - the mean word length is ~1 by construction, so the check is off;
    /// - stop words are the commonest function characters of modern and classical Chinese and
    ///   the Japanese particles (any two occurrences pass, as with Gopher's English list);
    /// - the alphabetic fraction is 0.7: CJK punctuation is a token of its own after nearly every
    ///   clause (about 1 token in 8 in running prose, more in verse).
    public static let unspacedDefault = GopherQualityThresholds(
        minWords: 100, maxWords: nil, minMeanWordLength: nil, maxMeanWordLength: nil,
        maxSymbolWordRatio: 0.1, maxBulletLineFraction: 0.9, maxEllipsisLineFraction: 0.3,
        minAlphabeticWordFraction: 0.7, minStopWords: 2,
        stopWords: ["的", "了", "是", "在", "和", "有", "与", "这", "也", "不", "之", "其", "而", "以", "者",
                    "の", "に", "は", "を", "が", "で", "と", "た"])
}

/// Which thresholds apply to a document: Chinese/Japanese text (most words are single Han/Kana
/// characters) or text in spaced scripts.
public enum LanguageFamily: String, Sendable, CaseIterable {
    case spaced, unspaced

    /// `unspaced` when at least `threshold` of the document's words are Han/Kana characters.
    public static func of(_ analysis: TextAnalysis, unspacedThreshold: Double) -> LanguageFamily {
        analysis.words > 0 && analysis.unspacedWordFraction >= unspacedThreshold ? .unspaced : .spaced
    }
}

public struct GopherQualityOptions: Sendable, Equatable {
    public var spaced: GopherQualityThresholds
    public var unspaced: GopherQualityThresholds
    /// Fraction of Han/Kana words from which a document counts as `unspaced`.
    public var unspacedWordFraction: Double

    public init(spaced: GopherQualityThresholds = .spacedDefault, unspaced: GopherQualityThresholds = .unspacedDefault,
                unspacedWordFraction: Double = 0.5) {
        self.spaced = spaced
        self.unspaced = unspaced
        self.unspacedWordFraction = unspacedWordFraction
    }

    public func thresholds(for family: LanguageFamily) -> GopherQualityThresholds {
        family == .spaced ? spaced : unspaced
    }
}

/// Drop reasons of the Gopher heuristics (counters `dropped.<reason>`); stable names.
public enum GopherReason {
    public static let tooFewWords = "gopher.too-few-words"
    public static let tooManyWords = "gopher.too-many-words"
    public static let meanWordLength = "gopher.mean-word-length"
    public static let hashRatio = "gopher.hash-ratio"
    public static let ellipsisRatio = "gopher.ellipsis-ratio"
    public static let bulletLines = "gopher.bullet-lines"
    public static let ellipsisLines = "gopher.ellipsis-lines"
    public static let alphabeticWords = "gopher.alphabetic-words"
    public static let stopWords = "gopher.stop-words"
    public static let duplicateParagraphs = "gopher.dup-paragraphs"
    public static let duplicateParagraphCharacters = "gopher.dup-paragraph-chars"
    public static let duplicateLines = "gopher.dup-lines"
    public static let duplicateLineCharacters = "gopher.dup-line-chars"
    /// `gopher.top-<n>-gram`.
    public static func topNGram(_ n: Int) -> String { "gopher.top-\(n)-gram" }
    /// `gopher.dup-<n>-gram`.
    public static func duplicateNGram(_ n: Int) -> String { "gopher.dup-\(n)-gram" }
}

/// Gopher's quality rules (word count, mean word length, symbol ratios, bullet and ellipsis
/// lines, alphabetic words, stop words), in the order and with the definitions of datatrove's
/// `GopherQualityFilter`, on `TextAnalyzer`'s language-neutral segmentation. The first failing
/// rule names the drop reason.
public struct GopherQualityFilter: DocumentFilter {
    public var name: String { "gopher-quality" }
    public let options: GopherQualityOptions
    private var analyzer = TextAnalyzer()
    private let stopWordHashes: [LanguageFamily: Set<UInt64>]

    public init(options: GopherQualityOptions = GopherQualityOptions()) {
        self.options = options
        var hashes: [LanguageFamily: Set<UInt64>] = [:]
        for family in LanguageFamily.allCases {
            hashes[family] = Set(options.thresholds(for: family).stopWords.map { TokenHash.hash($0) })
        }
        stopWordHashes = hashes
    }

    public mutating func verdict(for document: Document) -> FilterVerdict {
        let analysis = analyzer.analyze(document.text, keepTokens: true)
        if let reason = reason(for: analysis, tokens: analyzer) { return .drop(reason: reason) }
        return .keep
    }

    /// The first failing rule on an analysis made by `tokens` (which still holds its tokens).
    func reason(for a: TextAnalysis, tokens: TextAnalyzer) -> String? {
        let family = LanguageFamily.of(a, unspacedThreshold: options.unspacedWordFraction)
        let t = options.thresholds(for: family)
        if let min = t.minWords, a.words < min { return GopherReason.tooFewWords }
        if let max = t.maxWords, a.words > max { return GopherReason.tooManyWords }
        if a.words > 0 {
            let mean = a.meanWordLength
            if let min = t.minMeanWordLength, mean < min { return GopherReason.meanWordLength }
            if let max = t.maxMeanWordLength, mean > max { return GopherReason.meanWordLength }
        }
        if a.tokens > 0, let max = t.maxSymbolWordRatio {
            if Double(a.hashSigns) / Double(a.tokens) > max { return GopherReason.hashRatio }
            if Double(a.ellipses) / Double(a.tokens) > max { return GopherReason.ellipsisRatio }
        }
        if a.lines > 0 {
            if let max = t.maxBulletLineFraction, Double(a.bulletLines) / Double(a.lines) > max {
                return GopherReason.bulletLines
            }
            if let max = t.maxEllipsisLineFraction, Double(a.ellipsisLines) / Double(a.lines) > max {
                return GopherReason.ellipsisLines
            }
        }
        if a.tokens > 0, let min = t.minAlphabeticWordFraction,
           Double(a.alphabeticTokens) / Double(a.tokens) < min {
            return GopherReason.alphabeticWords
        }
        if let min = t.minStopWords, min > 0 {
            let stopWords = stopWordHashes[family]!
            var found = 0
            for token in tokens.tokens where stopWords.contains(token.hash) {
                found += 1
                if found >= min { break }
            }
            if found < min { return GopherReason.stopWords }
        }
        return nil
    }
}
