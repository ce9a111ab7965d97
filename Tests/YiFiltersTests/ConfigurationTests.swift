import Testing
import YiCore
@testable import YiFilters

/// Builds a JSONValue from a Swift literal shape (what the pipeline's YAML conversion gives).
func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue { .object(members.map { ($0.key, $0.value) }) }

func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
    do { try body(); return nil } catch let error as ConfigurationError { return error } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite struct FilterRegistryTests {
    let registry = FilterRegistry.standard

    @Test func buildsEveryKindWithDefaults() throws {
        let list: JSONValue = .array([
            object(["length": object(["min-chars": .int(200), "max-chars": .string("1M")])]),
            .string("gopher"),
            object(["script": object(["allow": .array([.string("han"), .string("latin")]), "min-ratio": .double(0.8)])]),
            .string("exact-dedup"),
            object(["near-dedup": object(["threshold": .double(0.7), "permutations": .int(96), "memory-limit": .string("64MiB")])]),
            object(["token-length": object(["min-tokens": .int(64)])]),
        ])
        let specs = try registry.makeList(list, path: "filters")
        #expect(specs.map(\.kind) == ["length", "gopher", "script", "exact-dedup", "near-dedup", "token-length"])
        guard case .text(var length) = specs[0].filter, case .text = specs[1].filter, case .corpus(let exact) = specs[3].filter,
              case .corpus(let near) = specs[4].filter, case .tokens(let tokens) = specs[5].filter else {
            Issue.record("wrong stages")
            return
        }
        #expect(specs[0].configuration == object(["min-chars": .int(200), "max-chars": .int(1_000_000)]))
        #expect(reason(length.verdict(for: document(String(repeating: "x", count: 199)))) == CharacterLengthFilter.tooShort)
        #expect(exact.report.method == "exact")
        let nearOptions = (near as! NearDeduplicator).options
        #expect(nearOptions.permutations <= 96)
        #expect(abs(nearOptions.estimatedThreshold - 0.7) < 0.1)
        #expect(nearOptions.memoryLimitBytes == 64 << 20)
        #expect(tokens.minTokens == 64)
        // Effective options list every default (for the manifest).
        let gopher = JSONWriter.string(specs[1].configuration)
        #expect(gopher.contains(#""min-words":50,"max-words":null,"min-mean-word-length":3.0"#))
        #expect(gopher.contains(#""top-ngrams":{"2":0.2,"3":0.18,"4":0.16}"#))
        #expect(gopher.contains(#""cjk":{"min-words":100"#))
        #expect(JSONWriter.string(specs[2].configuration) == #"{"allow":["latin","han"],"min-ratio":0.8,"keep-without-letters":false}"#)
    }

    @Test func optionsChangeBehaviour() throws {
        let short = "The cat sat with the dog on the mat and then it went to the garden with the other cats."
        let lenient = try registry.make(kind: "gopher-quality", options: object(["min-words": .int(5)]), path: "q")
        guard case .text(var filter) = lenient.filter else { return }
        #expect(filter.verdict(for: document(short)) == .keep)
        let chinese = try registry.make(kind: "gopher-quality",
                                        options: object(["cjk": object(["min-words": .int(10), "min-stop-words": .null])]),
                                        path: "q")
        guard case .text(var zh) = chinese.filter else { return }
        #expect(zh.verdict(for: document("床前明月光，疑是地上霜。举头望明月，低头思故乡。")) == .keep)
        let paper = try registry.make(kind: "gopher-quality", options: object(["preset": .string("gopher-paper")]), path: "q")
        #expect(JSONWriter.string(paper.configuration).hasPrefix(#"{"min-words":50,"max-words":100000,"#))
        let noNGrams = try registry.make(kind: "gopher-repetition",
                                         options: object(["top-ngrams": .null, "dup-ngrams": object(["5": .double(0.5)])]), path: "r")
        #expect(JSONWriter.string(noNGrams.configuration).contains(#""top-ngrams":{},"dup-ngrams":{"5":0.5}"#))
    }

    @Test func errorsNameKeyAndValue() {
        func error(_ value: JSONValue) -> String? {
            configurationError { _ = try registry.makeList(value, path: "filters") }?.description
        }
        #expect(error(.array([.string("bloom")]))?.hasPrefix("filters[0].bloom: unknown filter (known: exact-dedup, gopher,") == true)
        #expect(error(.array([object(["length": object(["min-chars": .string("lots")])])]))
                == #"filters[0].length.min-chars: expected a whole number in ≥ 0 (got "lots")"#)
        #expect(error(.array([object(["length": object(["min-char": .int(3)])])]))
                == "filters[0].length.min-char: unknown option (accepted here: max-chars, min-chars) (got 3)")
        #expect(error(.array([.string("gopher"), object(["gopher-quality": object(["max-bullet-lines": .double(1.5)])])]))
                == "filters[1].gopher-quality.max-bullet-lines: expected a number in [0.0, 1.0] (got 1.5)")
        #expect(error(.array([object(["gopher": object(["quality": object(["cjk": object(["min-words": .double(2.5)])])])])]))
                == "filters[0].gopher.quality.cjk.min-words: expected a whole number in ≥ 0 (got 2.5)")
        #expect(error(.array([object(["script": object(["allow": .array([.string("han"), .string("elvish")])])])]))?
            .hasPrefix(#"filters[0].script.allow[1]: unknown script (known: latin, greek"#) == true)
        #expect(error(.array([object(["script": .null])]))?.hasPrefix("filters[0].script.allow: required") == true)
        #expect(error(.array([object(["near-dedup": object(["threshold": .double(0.8), "bands": .int(4)])])]))?
            .hasPrefix("filters[0].near-dedup.threshold: give either threshold") == true)
        #expect(error(.array([object(["near-dedup": object(["unit": .string("byte")])])]))
                == #"filters[0].near-dedup.unit: expected one of word, character (got "byte")"#)
        #expect(error(.array([object(["gopher-repetition": object(["top-ngrams": object(["two": .double(0.2)])])])]))?
            .hasPrefix("filters[0].gopher-repetition.top-ngrams.two: n-gram sizes") == true)
        #expect(error(object(["gopher": .null])) == #"filters: expected a list of filters (got {"gopher":null})"#)
        #expect(error(.array([object(["a": .null, "b": .null])]))?.hasPrefix("filters[0]: expected a filter name") == true)
        let yi = configurationError { _ = try registry.makeList(.array([.string("nope")]), path: "filters") }?.yiError
        #expect(yi?.code == .usage)
    }

    /// `ngram:` with nothing after it is YAML null; it trapped on a force-unwrap (fuzz finding,
    /// tools/fuzz/regressions/pipeline/near-dedup-null-ngram). Every number an option cannot do
    /// without is refused when null, naming the key.
    @Test func nullForARequiredNumberIsAnError() {
        func error(_ filter: String, _ key: String, _ more: [(String, JSONValue)] = []) -> String? {
            configurationError {
                _ = try registry.makeList(.array([.object([(filter, .object([(key, .null)] + more))])]), path: "filters")
            }?.description
        }
        #expect(error("near-dedup", "ngram") == "filters[0].near-dedup.ngram: expected a whole number in 1...64 (got null)")
        #expect(error("near-dedup", "bands") == "filters[0].near-dedup.bands: expected a whole number in 1...4096 (got null)")
        #expect(error("near-dedup", "rows") == "filters[0].near-dedup.rows: expected a whole number in 1...64 (got null)")
        #expect(error("near-dedup", "threshold")?.hasPrefix("filters[0].near-dedup.threshold: expected a number in") == true)
        #expect(error("near-dedup", "permutations", [("threshold", .double(0.7))])?
            .hasPrefix("filters[0].near-dedup.permutations: expected a whole number") == true)
        #expect(error("script", "min-ratio", [("allow", .array([.string("han")]))])?
            .hasPrefix("filters[0].script.min-ratio: expected a number in") == true)
        #expect(error("gopher-quality", "cjk-word-fraction")?.contains("cjk-word-fraction: expected a number in") == true)
    }

    @Test func sizes() {
        #expect(ConfigurationReader.parseSize("4096") == 4096)
        #expect(ConfigurationReader.parseSize("64MiB") == 64 << 20)
        #expect(ConfigurationReader.parseSize("2 GB") == 2_000_000_000)
        #expect(ConfigurationReader.parseSize("1.5KiB") == 1536)
        #expect(ConfigurationReader.parseSize("1e9") == 1_000_000_000)
        #expect(ConfigurationReader.parseSize("0.3") == nil)
        #expect(ConfigurationReader.parseSize("lots") == nil)
    }
}

@Suite struct MixConfigurationTests {
    func parse(_ value: JSONValue) throws -> MixOptions {
        var reader = try ConfigurationReader(value, path: "mix")
        let options = try MixOptions(configuration: &reader)
        try reader.finish()
        return options
    }

    @Test func readsEveryKey() throws {
        let options = try parse(object([
            "unit": .string("documents"), "budget": .int(5000), "seed": .int(42),
            "weights": object(["web": .int(5), "books": .double(3)]),
            "upsample": object(["long-tokens": .int(8192), "short-keep": .double(0.3)]),
            "sources": object(["books": object(["upsample": object(["long-tokens": .int(16384), "short-keep": .double(0.5)])]),
                               "code": object(["upsample": .null])]),
        ]))
        #expect(options.unit == .documents)
        #expect(options.budget == .total(5000))
        #expect(options.seed == 42)
        #expect(options.weights == ["web": 5, "books": 3])
        #expect(options.upsampling(for: "web") == LengthUpsampling(longThreshold: 8192, shortKeepProbability: 0.3))
        #expect(options.upsampling(for: "books") == LengthUpsampling(longThreshold: 16384, shortKeepProbability: 0.5))
        #expect(options.upsampling(for: "code") == nil)
        #expect(JSONWriter.string(options.configuration) == #"{"unit":"documents","budget":5000,"seed":42,"weights":{"books":3.0,"web":5.0},"upsample":{"long-tokens":8192,"short-keep":0.3},"sources":{"books":{"upsample":{"long-tokens":16384,"short-keep":0.5}},"code":{"upsample":null}}}"#)
        #expect(try parse(.null) == MixOptions())
        #expect(try parse(object(["budget": .string("input-size")])).budget == .inputSize)
    }

    @Test func errorsNameKeyAndValue() {
        func error(_ value: JSONValue) -> String? { configurationError { _ = try parse(value) }?.description }
        #expect(error(object(["budget": .string("lots")])) == #"mix.budget: expected one of no-repetition, input-size (got "lots")"#)
        #expect(error(object(["weights": object(["web": .int(-1)])]))?.hasPrefix("mix.weights.web: expected a number in ≥ 0.0") == true)
        #expect(error(object(["upsample": object(["long-tokens": .int(100)])])) == "mix.upsample.short-keep: required with upsample")
        #expect(error(object(["upsample": object(["long": .int(100)])]))?.hasPrefix("mix.upsample.long: unknown option") == true)
        #expect(error(object(["upsample": object(["long-tokens": .int(100), "short-keep": .double(2)])]))
                == "mix.upsample.short-keep: expected a number in [0.0, 1.0] (got 2.0)")
        #expect(error(object(["sources": object(["web": object(["weight": .int(1)])])]))?
            .hasPrefix("mix.sources.web.weight: unknown option") == true)
        #expect(error(object(["shares": .null]))?.hasPrefix("mix.shares: unknown option") == true)
    }
}
