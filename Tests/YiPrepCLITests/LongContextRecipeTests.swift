import Foundation
import Testing
import YiCore
import YiPipeline
import YiShards
import YiTestSupport

/// Long-context recipes on corpora with a real long-tailed length distribution (samples/ and the
/// shared 314-document corpus, five documents over 100K characters): the shipped progressive
/// recipe gives each stage long documents, the mixing guards catch a starving mix, and the dry
/// run predicts what the run writes.
@Suite(.serialized) struct LongContextRecipeTests {
    let model = Fixtures.requireShared("tokenizers/yi/tokenizer.model")
    let corpus = Fixtures.requireShared("corpora/jsonl/corpus.jsonl")
    let wiki = Fixtures.repoPath("samples/tinywiki-latest-pages-articles.xml.zst")

    /// Every third record of the shared corpus: the same long-tailed mix of sources and lengths
    /// (it keeps documents of 100K+ characters) at a third of the test time.
    func corpusSubset(in dir: TemporaryDirectory) throws -> String {
        let lines = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n")
        let subset = lines.enumerated().filter { $0.offset % 3 == 0 }.map { String($0.element) }
        return dir.write("corpus-subset.jsonl", subset.joined(separator: "\n") + "\n")
    }

    func share(_ out: String, atLeast tokens: Int) throws -> Double {
        var options = StatsOptions()
        options.longTokenThresholds = [tokens]
        let stats = try StatsCollector.collect(path: out, options: options)
        return try #require(stats.buckets.first?.long.share(atLeast: tokens))
    }

    /// The progressive recipe's stages on samples/ and, with its inputs swapped, on the shared corpus.
    @Test func progressiveStagesAreMadeOfLongDocuments() throws {
        let dir = TemporaryDirectory()
        let shipped = yiPrep(["run", Fixtures.repoPath("pipelines/yi-progressive-8k-16k.yaml"), "--tokenizer", model,
                              "--out", dir.file("samples"), "--quiet"])
        #expect(shipped.status == 0, "\(shipped.errors)")
        #expect(try share(dir.file("samples/stage1-8k"), atLeast: 4096) >= 0.6)
        #expect(try share(dir.file("samples/stage2-16k"), atLeast: 8192) >= 0.6)

        let recipe = try String(contentsOfFile: Fixtures.repoPath("pipelines/yi-progressive-8k-16k.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "../samples/public-domain-books.jsonl", with: try corpusSubset(in: dir))
            .replacingOccurrences(of: "../samples/tinywiki-latest-pages-articles.xml.zst", with: wiki)
        let file = dir.write("corpus.yaml", recipe)
        let run = yiPrep(["run", file, "--tokenizer", model, "--out", dir.file("corpus"), "--quiet"])
        #expect(run.status == 0, "\(run.errors)")
        let stage1 = try share(dir.file("corpus/stage1-8k"), atLeast: 4096)
        let stage2 = try share(dir.file("corpus/stage2-16k"), atLeast: 8192)
        #expect(stage1 >= 0.6 && stage2 >= 0.6, "stage 1 \(stage1), stage 2 \(stage2)")
        let manifest = try Manifest.read(path: dir.file("corpus/stage1-8k/manifest.json"))
        #expect(manifest.counters["dropped.length.below-stage-minimum"] > 0)
    }

    /// The issue's starving configuration: weights 0.6/0.4 with a tiny second source under the
    /// no-repetition budget. It warns before writing, records the warnings, and fails under
    /// --strict leaving nothing behind.
    @Test func starvingMixWarnsAndFailsUnderStrict() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("starving.yaml", """
        name: starving
        seed: 7
        inputs:
          - {path: \(Fixtures.repoPath("samples/public-domain-books.jsonl")), source: books, weight: 0.6}
          - {path: \(wiki), source: wikipedia, weight: 0.4}
        filters: [{length: {min-chars: 200}}, exact-dedup]
        mix: {unit: tokens, upsample: {long-tokens: 8192, short-keep: 0.3}}
        packing: {lengths: [16384]}
        output: {dir: out}

        """)
        let run = yiPrep(["run", file, "--tokenizer", model])
        #expect(run.status == 0)
        let manifest = try Manifest.read(path: dir.file("out/manifest.json"))
        let warnings = manifest.extra.first { $0.0 == "mix_plan" }?.1["warnings"]
        guard case .array(let items)? = warnings else { Issue.record("no warnings in the manifest"); return }
        #expect(items.count == 2)
        #expect(items.first?["source"]?.stringValue == "wikipedia")
        #expect(items.first?["message"]?.stringValue?.contains("limits the no-repetition budget") == true)
        #expect(items.last?["message"]?.stringValue?.contains("long documents (≥ 8192 tokens) are kept at a rate below 1") == true)

        let strict = yiPrep(["run", file, "--tokenizer", model, "--strict", "--out", dir.file("strict")])
        #expect(strict.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.file("strict/out")), "a refused mix writes nothing")
    }

    @Test func longTokenFloorFailsTheStage() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("floor.yaml", """
        inputs: [\(wiki)]
        packing: {lengths: [8192]}
        length-policy: {min-long-token-share: {tokens: 4096, share: 0.6, fail: true}}
        output: {dir: out}

        """)
        let run = yiPrep(["run", file, "--tokenizer", model])
        #expect(run.status == 2)
        #expect(run.errors.joined().contains("below the stage's min-long-token-share of 60.0%"), "\(run.errors)")
        let bad = dir.write("bad.yaml", "inputs: [x]\noutput: {dir: o}\nlength-policy: {min-long-token-share: {tokens: 4096, share: 1.5}}\n")
        let refused = yiPrep(["run", bad, "--tokenizer", model])
        #expect(refused.status == 2)
        #expect(refused.errors.joined().contains("bad.yaml: 3:"), "\(refused.errors)")
        let zero = dir.write("zero.yaml", "inputs: [x]\noutput: {dir: o}\nlength-policy:\n  min-doc-tokens: 0\n")
        let refusedZero = yiPrep(["run", zero, "--tokenizer", model])
        #expect(refusedZero.status == 2)
        #expect(refusedZero.errors.joined().contains("zero.yaml: 4:19: length-policy.min-doc-tokens: min-doc-tokens must be ≥ 1"), "\(refusedZero.errors)")
    }

    /// Dry run against the real run, per bucket: tokens and sequences within 10%, for every
    /// shipped recipe on samples/, for the shared corpus with mixing (upsampling) and two buckets,
    /// and for the same corpus without mixing with a small sample, so that most of the text is
    /// estimated, not tokenized.
    @Test func dryRunPredictsTheRunWithinTenPercent() throws {
        let dir = TemporaryDirectory()
        let mixed = dir.write("mixed.yaml", """
        name: mixed
        seed: 3
        inputs:
          - {path: \(corpus), source-field: source}
          - {path: \(wiki), source: wikipedia}
        filters: [{length: {min-chars: 200}}, exact-dedup]
        mix: {upsample: {long-tokens: 4096, short-keep: 0.5}}
        packing: {lengths: [8192, 16384]}
        output: {dir: mixed}

        """)
        let unmixed = dir.write("unmixed.yaml", """
        name: unmixed
        inputs:
          - {path: \(corpus), source-field: source}
          - {path: \(wiki), source: wikipedia}
        filters: [{length: {min-chars: 200}}, exact-dedup]
        packing: {lengths: [8192, 16384]}
        output: {dir: unmixed}

        """)
        var small = DryRun.Sampling()
        small.sampleBytes = 16 << 10
        small.sampleDivisor = 32
        let cases: [(String, DryRun.Sampling)] = [
            (Fixtures.repoPath("pipelines/yi-progressive-8k-16k.yaml"), DryRun.Sampling()),
            (Fixtures.repoPath("pipelines/yi-16k.yaml"), DryRun.Sampling()),
            (mixed, DryRun.Sampling()),
            (unmixed, small),
        ]
        var overrides = PipelineFile.Overrides()
        overrides.outputDirectory = dir.file("out")
        for (path, sampling) in cases {
            let file = try PipelineFile.load(path: path, overrides: overrides) { _ in model }
            for stage in file.stages {
                let estimate = try DryRun.run(options: stage.options, sampling: sampling)
                _ = try PackJob(options: stage.options, log: { _ in }).run()
                let stats = try StatsCollector.collect(path: stage.options.outputDirectory)
                for (bucket, real) in zip(estimate.buckets, stats.buckets) {
                    let what = "\(stage.name) len-\(bucket.length)"
                    #expect(abs(Double(bucket.documentTokens - real.documentTokens)) <= 0.1 * Double(real.documentTokens), "\(what) tokens \(bucket.documentTokens) vs \(real.documentTokens)")
                    // 10%, or one sequence where a bucket holds fewer than ten.
                    #expect(abs(Double(bucket.sequences - real.sequences)) <= max(1, 0.1 * Double(real.sequences)), "\(what) sequences \(bucket.sequences) vs \(real.sequences)")
                }
                if sampling.sampleBytes < DryRun.Sampling().sampleBytes {
                    // A small corpus dominated by a few long documents; on large corpora the share is far lower.
                    #expect(3 * estimate.tokenizedBytes < 2 * estimate.keptBytes,
                            "the small sample must leave most of the text estimated (\(estimate.tokenizedBytes) of \(estimate.keptBytes) bytes tokenized)")
                }
            }
        }
    }
}
