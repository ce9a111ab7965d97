import YiCore

/// Gopher's quality and repetition rules from one pass over the text (the same decisions as
/// `GopherQualityFilter` followed by `GopherRepetitionFilter`, at the cost of one analysis).
public struct GopherFilter: DocumentFilter {
    public var name: String { "gopher" }
    private var quality: GopherQualityFilter
    private var repetition: GopherRepetitionFilter
    private var analyzer = TextAnalyzer()

    public init(quality: GopherQualityOptions = GopherQualityOptions(),
                repetition: GopherRepetitionOptions = GopherRepetitionOptions()) {
        self.quality = GopherQualityFilter(options: quality)
        self.repetition = GopherRepetitionFilter(options: repetition)
    }

    public var qualityOptions: GopherQualityOptions { quality.options }
    public var repetitionOptions: GopherRepetitionOptions { repetition.options }

    public mutating func verdict(for document: Document) -> FilterVerdict {
        let analysis = analyzer.analyze(document.text, keepTokens: true)
        if let reason = quality.reason(for: analysis, tokens: analyzer) { return .drop(reason: reason) }
        if let reason = repetition.reason(for: analysis, tokens: analyzer) { return .drop(reason: reason) }
        return .keep
    }
}
