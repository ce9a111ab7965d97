import YiCore

// Configuration keys of the quality filters (see `FilterRegistry` for the list of filters).
// Every key is optional; `null` switches a check off. The `cjk:` block holds the same keys for
// Chinese/Japanese documents (those whose words are mostly Han/Kana characters).

/// Thresholds that read from and render to the configuration keys of one language family.
protocol ConfigurableThresholds {
    mutating func read(_ r: inout ConfigurationReader) throws
    var configuration: JSONValue { get }
}

/// Options with one set of thresholds per `LanguageFamily`, configured the same way by every
/// filter: the threshold keys at the top level (spaced scripts), `cjk: {threshold keys}`
/// (unspaced) and `cjk-word-fraction`.
protocol LanguageFamilyOptions {
    associatedtype Thresholds: ConfigurableThresholds
    var spaced: Thresholds { get set }
    var unspaced: Thresholds { get set }
    var unspacedWordFraction: Double { get set }
}

extension LanguageFamilyOptions {
    mutating func readLanguageFamilies(_ r: inout ConfigurationReader) throws {
        try spaced.read(&r)
        if var cjk = try r.object("cjk") {
            try unspaced.read(&cjk)
            try cjk.finish()
        }
        unspacedWordFraction = try r.requiredDouble("cjk-word-fraction", default: unspacedWordFraction, in: 0...1)
    }

    var languageFamiliesConfiguration: JSONValue {
        var members = spaced.configuration.objectMembers
        members.append(("cjk", unspaced.configuration))
        members.append(("cjk-word-fraction", .double(unspacedWordFraction)))
        return .object(members)
    }
}

extension GopherQualityThresholds: ConfigurableThresholds {
    mutating func read(_ r: inout ConfigurationReader) throws {
        minWords = try r.int("min-words", default: minWords)
        maxWords = try r.int("max-words", default: maxWords)
        minMeanWordLength = try r.double("min-mean-word-length", default: minMeanWordLength, in: 0...1000)
        maxMeanWordLength = try r.double("max-mean-word-length", default: maxMeanWordLength, in: 0...1000)
        maxSymbolWordRatio = try r.double("max-symbol-word-ratio", default: maxSymbolWordRatio, in: 0...1000)
        maxBulletLineFraction = try r.double("max-bullet-lines", default: maxBulletLineFraction, in: 0...1)
        maxEllipsisLineFraction = try r.double("max-ellipsis-lines", default: maxEllipsisLineFraction, in: 0...1)
        minAlphabeticWordFraction = try r.double("min-alpha-words", default: minAlphabeticWordFraction, in: 0...1)
        minStopWords = try r.int("min-stop-words", default: minStopWords)
        stopWords = try r.stringList("stop-words", default: stopWords)
    }

    var configuration: JSONValue {
        .object([
            ("min-words", json(minWords)), ("max-words", json(maxWords)),
            ("min-mean-word-length", json(minMeanWordLength)), ("max-mean-word-length", json(maxMeanWordLength)),
            ("max-symbol-word-ratio", json(maxSymbolWordRatio)), ("max-bullet-lines", json(maxBulletLineFraction)),
            ("max-ellipsis-lines", json(maxEllipsisLineFraction)), ("min-alpha-words", json(minAlphabeticWordFraction)),
            ("min-stop-words", json(minStopWords)), ("stop-words", .array(stopWords.map { .string($0) })),
        ])
    }
}

extension GopherQualityOptions: LanguageFamilyOptions {
    /// Keys: `preset` (`yi`: the defaults; `gopher-paper`: Gopher's values exactly for spaced
    /// scripts), the threshold keys, `cjk: {threshold keys}`, `cjk-word-fraction`.
    public init(configuration r: inout ConfigurationReader) throws {
        self.init()
        if try r.choice("preset", ["yi", "gopher-paper"], default: "yi") == "gopher-paper" { spaced = .gopherPaper }
        try readLanguageFamilies(&r)
    }

    public var configuration: JSONValue { languageFamiliesConfiguration }
}

extension GopherRepetitionThresholds: ConfigurableThresholds {
    mutating func read(_ r: inout ConfigurationReader) throws {
        maxDuplicateParagraphFraction = try r.double("max-dup-paragraphs", default: maxDuplicateParagraphFraction, in: 0...1)
        maxDuplicateParagraphCharacterFraction = try r.double("max-dup-paragraph-chars",
                                                              default: maxDuplicateParagraphCharacterFraction, in: 0...1)
        maxDuplicateLineFraction = try r.double("max-dup-lines", default: maxDuplicateLineFraction, in: 0...1)
        maxDuplicateLineCharacterFraction = try r.double("max-dup-line-chars", default: maxDuplicateLineCharacterFraction, in: 0...1)
        topNGrams = try Self.readLimits(&r, "top-ngrams", default: topNGrams)
        duplicateNGrams = try Self.readLimits(&r, "dup-ngrams", default: duplicateNGrams)
    }

    /// `{2: 0.2, 3: 0.18}`: n-gram size → largest fraction of characters; null: no check.
    private static func readLimits(_ r: inout ConfigurationReader, _ key: String, default defaultValue: [NGramLimit]) throws -> [NGramLimit] {
        guard r.contains(key) else { return defaultValue }
        guard let members = try r.members(key) else { return defaultValue }
        var nested = try ConfigurationReader(.object(members), path: r.childPath(key))
        var limits: [NGramLimit] = []
        for (name, _) in members {
            guard let n = Int(name), (1...100).contains(n) else {
                throw ConfigurationError(path: nested.childPath(name), value: nil, problem: "n-gram sizes must be whole numbers in 1...100")
            }
            guard let fraction = try nested.double(name, default: nil, in: 0...1) else { continue }
            limits.append(NGramLimit(n, fraction))
        }
        try nested.finish()
        return limits.sorted { $0.n < $1.n }
    }

    var configuration: JSONValue {
        func limits(_ l: [NGramLimit]) -> JSONValue { .object(l.map { (String($0.n), .double($0.maxFraction)) }) }
        return .object([
            ("max-dup-paragraphs", json(maxDuplicateParagraphFraction)),
            ("max-dup-paragraph-chars", json(maxDuplicateParagraphCharacterFraction)),
            ("max-dup-lines", json(maxDuplicateLineFraction)),
            ("max-dup-line-chars", json(maxDuplicateLineCharacterFraction)),
            ("top-ngrams", limits(topNGrams)), ("dup-ngrams", limits(duplicateNGrams)),
        ])
    }
}

extension GopherRepetitionOptions: LanguageFamilyOptions {
    /// Keys: the threshold keys, `cjk: {threshold keys}`, `cjk-word-fraction`.
    public init(configuration r: inout ConfigurationReader) throws {
        self.init()
        try readLanguageFamilies(&r)
    }

    public var configuration: JSONValue { languageFamiliesConfiguration }
}

func json(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
func json(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }

extension JSONValue {
    var objectMembers: [(String, JSONValue)] {
        if case .object(let members) = self { return members }
        return []
    }
}
