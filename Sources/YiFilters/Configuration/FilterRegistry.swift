import YiCore

/// A filter built from configuration, with where in the pipeline it belongs.
public enum ConfiguredFilter {
    /// A pure per-document decision on the text: may run on any thread (one copy per worker).
    case text(any DocumentFilter)
    /// Stateful across the corpus (deduplication): one instance, called from one thread in input
    /// order; its `report` goes into the manifest.
    case corpus(any CorpusFilter)
    /// Needs the token count: runs after the tokenizer.
    case tokens(TokenLengthFilter)
}

/// A deduplicator: a document filter with corpus-wide state and a report.
public protocol CorpusFilter: AnyObject, DocumentFilter {
    var report: DedupReport { get }
}

extension ExactDeduplicator: CorpusFilter {}
extension NearDeduplicator: CorpusFilter {}

/// One configured filter: its kind (the configuration key), the filter, and the effective
/// options with every default filled in (for the manifest).
public struct FilterSpec {
    public let kind: String
    public let filter: ConfiguredFilter
    public let configuration: JSONValue

    public var json: JSONValue { .object([("kind", .string(kind)), ("options", configuration)]) }
}

/// Builds filters from string-keyed configuration, as a pipeline file gives it:
///
/// ```yaml
/// filters:
///   - length: {min-chars: 200}
///   - gopher                        # defaults
///   - script: {allow: [han, latin], min-ratio: 0.8}
///   - exact-dedup
///   - near-dedup: {ngram: 5, bands: 32, rows: 4}
///   - token-length: {min-tokens: 64}
/// ```
///
/// Kinds and their keys (all optional):
/// - `length`: `min-chars`, `max-chars`
/// - `token-length`: `min-tokens`, `max-tokens`
/// - `gopher-quality`: `preset` (`yi` | `gopher-paper`), `min-words`, `max-words`,
///   `min-mean-word-length`, `max-mean-word-length`, `max-symbol-word-ratio`, `max-bullet-lines`,
///   `max-ellipsis-lines`, `min-alpha-words`, `min-stop-words`, `stop-words`, `cjk: {same keys}`,
///   `cjk-word-fraction`
/// - `gopher-repetition`: `max-dup-paragraphs`, `max-dup-paragraph-chars`, `max-dup-lines`,
///   `max-dup-line-chars`, `top-ngrams: {n: fraction}`, `dup-ngrams: {n: fraction}`,
///   `cjk: {same keys}`, `cjk-word-fraction`
/// - `gopher`: `quality: {gopher-quality keys}`, `repetition: {gopher-repetition keys}`
/// - `script`: `allow` (script names, required), `min-ratio`, `keep-without-letters`
/// - `exact-dedup`: `normalize` (`whitespace-and-case` | `whitespace` | `none`), `memory-limit`
/// - `near-dedup`: `unit` (`word` | `character`), `ngram`, `bands`, `rows`, or `threshold` with
///   `permutations` instead of bands/rows, `seed`, `memory-limit`
///
/// `memory-limit` takes bytes or a size (`"4GiB"`). Other kinds can be registered.
public struct FilterRegistry {
    public typealias Builder = (inout ConfigurationReader) throws -> (ConfiguredFilter, JSONValue)
    private var builders: [String: Builder] = [:]

    public init() {}

    public var kinds: [String] { builders.keys.sorted() }

    public mutating func register(_ kind: String, _ builder: @escaping Builder) {
        builders[kind] = builder
    }

    /// Builds one filter. `path` locates `options` in the pipeline file (for error messages).
    public func make(kind: String, options: JSONValue, path: String) throws -> FilterSpec {
        guard let builder = builders[kind] else {
            throw ConfigurationError(path: path, value: .string(kind),
                                     problem: "unknown filter (known: \(kinds.joined(separator: ", ")))")
        }
        var reader = try ConfigurationReader(options, path: path)
        let (filter, configuration) = try builder(&reader)
        try reader.finish()
        return FilterSpec(kind: kind, filter: filter, configuration: configuration)
    }

    /// Builds a `filters:` list: each item is a kind (`gopher`) or a one-key mapping
    /// (`{gopher: {options}}`).
    public func makeList(_ value: JSONValue, path: String) throws -> [FilterSpec] {
        guard case .array(let items) = value else {
            if case .null = value { return [] }
            throw ConfigurationError(path: path, value: value, problem: "expected a list of filters")
        }
        return try items.enumerated().map { index, item in
            let itemPath = "\(path)[\(index)]"
            switch item {
            case .string(let kind):
                return try make(kind: kind, options: .null, path: "\(itemPath).\(kind)")
            case .object(let members) where members.count == 1:
                return try make(kind: members[0].0, options: members[0].1, path: "\(itemPath).\(members[0].0)")
            default:
                throw ConfigurationError(path: itemPath, value: item,
                                         problem: "expected a filter name or a one-key mapping {name: {options}}")
            }
        }
    }

    /// The filters of this module.
    public static let standard: FilterRegistry = {
        var registry = FilterRegistry()
        registry.register("length") { r in
            let filter = CharacterLengthFilter(minCharacters: try r.int("min-chars", default: nil),
                                               maxCharacters: try r.int("max-chars", default: nil))
            return (.text(filter), .object([("min-chars", json(filter.minCharacters)), ("max-chars", json(filter.maxCharacters))]))
        }
        registry.register("token-length") { r in
            let filter = TokenLengthFilter(minTokens: try r.int("min-tokens", default: nil),
                                           maxTokens: try r.int("max-tokens", default: nil))
            return (.tokens(filter), .object([("min-tokens", json(filter.minTokens)), ("max-tokens", json(filter.maxTokens))]))
        }
        registry.register("gopher-quality") { r in
            let options = try GopherQualityOptions(configuration: &r)
            return (.text(GopherQualityFilter(options: options)), options.configuration)
        }
        registry.register("gopher-repetition") { r in
            let options = try GopherRepetitionOptions(configuration: &r)
            return (.text(GopherRepetitionFilter(options: options)), options.configuration)
        }
        registry.register("gopher") { r in
            var quality = GopherQualityOptions(), repetition = GopherRepetitionOptions()
            if var q = try r.object("quality") { quality = try GopherQualityOptions(configuration: &q); try q.finish() }
            if var p = try r.object("repetition") { repetition = try GopherRepetitionOptions(configuration: &p); try p.finish() }
            return (.text(GopherFilter(quality: quality, repetition: repetition)),
                    .object([("quality", quality.configuration), ("repetition", repetition.configuration)]))
        }
        registry.register("script") { r in
            guard r.contains("allow") else {
                throw ConfigurationError(path: r.childPath("allow"), value: nil,
                                         problem: "required: the scripts to keep (\(Script.allCases.map(\.name).joined(separator: ", ")))")
            }
            let names = try r.stringList("allow", default: [])
            let scripts = try names.enumerated().map { index, name -> Script in
                guard let script = Script(name: name) else {
                    throw ConfigurationError(path: "\(r.childPath("allow"))[\(index)]", value: .string(name),
                                             problem: "unknown script (known: \(Script.allCases.map(\.name).joined(separator: ", ")))")
                }
                return script
            }
            let filter = ScriptFilter(allowed: Set(scripts), minRatio: try r.requiredDouble("min-ratio", default: 0.5, in: 0...1),
                                      keepWithoutLetters: try r.bool("keep-without-letters", default: false))
            return (.text(filter), .object([
                ("allow", .array(scripts.sorted { $0.rawValue < $1.rawValue }.map { .string($0.name) })),
                ("min-ratio", .double(filter.minRatio)), ("keep-without-letters", .bool(filter.keepWithoutLetters)),
            ]))
        }
        registry.register("exact-dedup") { r in
            let normalization = TextNormalization(rawValue: try r.choice(
                "normalize", TextNormalization.allCases.map(\.rawValue), default: TextNormalization.whitespaceAndCase.rawValue))!
            let dedup = ExactDeduplicator(options: ExactDedupOptions(
                normalization: normalization, memoryLimitBytes: try r.int("memory-limit", default: nil, in: 1024...Int.max)))
            return (.corpus(dedup), dedup.report.options)
        }
        registry.register("near-dedup") { r in
            var options = MinHashOptions()
            options.unit = MinHashOptions.Unit(rawValue: try r.choice("unit", MinHashOptions.Unit.allCases.map(\.rawValue),
                                                                      default: options.unit.rawValue))!
            options.ngram = try r.requiredInt("ngram", default: options.ngram, in: MinHashOptions.ngramRange)
            if r.contains("threshold") {
                if r.contains("bands") || r.contains("rows") {
                    throw ConfigurationError(path: r.childPath("threshold"), value: nil,
                                             problem: "give either threshold (with permutations) or bands and rows, not both")
                }
                let threshold = try r.requiredDouble("threshold", default: nil, in: 0.01...0.99)
                let permutations = try r.requiredInt("permutations", default: 128, in: MinHashOptions.permutationsRange)
                (options.bands, options.rowsPerBand) = MinHashOptions.bandsAndRows(threshold: threshold, permutations: permutations)
            } else {
                options.bands = try r.requiredInt("bands", default: options.bands, in: MinHashOptions.bandsRange)
                options.rowsPerBand = try r.requiredInt("rows", default: options.rowsPerBand, in: MinHashOptions.rowsRange)
            }
            if let seed = try r.int("seed", default: nil) { options.seed = UInt64(seed) }
            options.memoryLimitBytes = try r.int("memory-limit", default: nil, in: 1024...Int.max)
            let dedup = NearDeduplicator(options: options)
            return (.corpus(dedup), dedup.report.options)
        }
        return registry
    }()
}
