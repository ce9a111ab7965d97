import Foundation
import Testing
import YiCore
@testable import YiFilters

/// Mixing on a synthetic corpus of 4,550 documents in three sources with skewed (log-normal)
/// lengths, from a few dozen to 100,000+ tokens.
@Suite struct MixPlanTests {
    struct Doc { var source: String; var tokens: Int; var ordinal: Int }

    static let corpus: [Doc] = {
        var rng = SplitMix64(seed: 77)
        func logNormal(median: Double, sigma: Double) -> Int {
            let u1 = max(SplitMix64.unitInterval(rng.next()), 1e-12), u2 = SplitMix64.unitInterval(rng.next())
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            return max(1, Int(median * exp(sigma * z)))
        }
        var docs: [Doc] = []
        let shapes: [(String, Int, Double, Double)] = [("web", 2600, 400, 1.3), ("books", 650, 6000, 1.2), ("wiki", 1300, 1200, 1.0)]
        for (source, count, median, sigma) in shapes {
            for _ in 0..<count { docs.append(Doc(source: source, tokens: logNormal(median: median, sigma: sigma), ordinal: 0)) }
        }
        // Interleave sources in a seeded order; ordinals are input positions.
        for i in stride(from: docs.count - 1, to: 0, by: -1) { docs.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        for i in docs.indices { docs[i].ordinal = i }
        return docs
    }()

    static func counter(_ options: MixOptions) -> MixTotalsCounter {
        var counter = MixTotalsCounter(options: options)
        for doc in corpus { counter.add(source: doc.source, ordinal: doc.ordinal, tokens: doc.tokens) }
        return counter
    }

    static func totals(_ options: MixOptions) -> [String: SourceTotals] { counter(options).totals }

    /// The calibrated plan of a counting pass over the corpus.
    static func plan(_ options: MixOptions) throws -> MixPlan { try MixPlan.make(counter: counter(options)) }

    struct Realized {
        var tokens: [String: Int] = [:], longTokens: [String: Int] = [:], documents: [String: Int] = [:]
        var maxCopies = 0
        var totalTokens: Int { tokens.values.reduce(0, +) }
        func share(_ source: String) -> Double { Double(tokens[source, default: 0]) / Double(totalTokens) }
        var longFraction: Double { Double(longTokens.values.reduce(0, +)) / Double(totalTokens) }
    }

    static func apply(_ plan: MixPlan, threshold: Int = 8192) -> Realized {
        var realized = Realized()
        for doc in corpus {
            let copies = plan.source(doc.source)!.copies(ordinal: doc.ordinal, tokens: doc.tokens)
            realized.tokens[doc.source, default: 0] += copies * doc.tokens
            realized.documents[doc.source, default: 0] += copies
            if doc.tokens >= threshold { realized.longTokens[doc.source, default: 0] += copies * doc.tokens }
            realized.maxCopies = max(realized.maxCopies, copies)
        }
        return realized
    }

    static func inputLongFraction(threshold: Int = 8192) -> Double {
        Double(corpus.filter { $0.tokens >= threshold }.reduce(0) { $0 + $1.tokens }) / Double(corpus.reduce(0) { $0 + $1.tokens })
    }

    @Test func weightedSharesWithinOnePercent() throws {
        let options = MixOptions(weights: ["web": 5, "books": 3, "wiki": 2], seed: 1)
        let plan = try Self.plan(options)
        let realized = Self.apply(plan)
        for (source, target) in [("web", 0.5), ("books", 0.3), ("wiki", 0.2)] {
            #expect(abs(plan.source(source)!.targetShare - target) < 1e-12)
            #expect(abs(realized.share(source) - target) < 0.01, "\(source): \(realized.share(source))")
            // Calibrated: off by at most about one document of the source.
            let largest = Double(Self.corpus.filter { $0.source == source }.map(\.tokens).max()!)
            #expect(abs(realized.share(source) - target) <= largest / Double(realized.totalTokens),
                    "\(source): \(realized.share(source)), largest document \(largest)")
        }
        // No repetition: every rate ≤ 1 and one source is used whole.
        #expect(realized.maxCopies == 1)
        #expect(plan.sources.map(\.longRate).max()! <= 1 + 1e-12)
        #expect(plan.sources.contains { abs($0.scale - 1) < 1e-12 })
        #expect(abs(Double(realized.totalTokens) / plan.expectedTotal - 1) < 0.03)
    }

    @Test func upsamplingRaisesLongFractionAndKeepsShares() throws {
        let natural = MixOptions(seed: 2)
        let naturalTotals = Self.totals(natural)
        let inputTokens = Double(naturalTotals.values.reduce(0) { $0 + $1.tokens })
        let naturalShares = naturalTotals.mapValues { Double($0.tokens) / inputTokens }

        let options = MixOptions(defaultUpsampling: LengthUpsampling(longThreshold: 8192, shortKeepProbability: 0.3), seed: 2)
        let plan = try Self.plan(options)
        let realized = Self.apply(plan)
        for (source, share) in naturalShares {
            #expect(abs(plan.source(source)!.targetShare - share) < 1e-12)
            #expect(abs(realized.share(source) - share) < 0.01, "\(source): \(realized.share(source)) vs \(share)")
            let planned = plan.source(source)!
            #expect(abs(planned.shortRate - 0.3 * planned.longRate) < 1e-12)
        }
        let before = Self.inputLongFraction()
        print("long-token fraction \(before) → \(realized.longFraction); shares \(naturalShares) → "
              + naturalShares.keys.sorted().map { "\($0) \(realized.share($0))" }.joined(separator: ", "))
        #expect(realized.longFraction > before + 0.1)
    }

    @Test func inputSizeBudgetRepeatsLongDocuments() throws {
        let options = MixOptions(weights: ["web": 1, "books": 1, "wiki": 1],
                                 upsampling: ["books": LengthUpsampling(longThreshold: 16384, shortKeepProbability: 0.5)],
                                 defaultUpsampling: LengthUpsampling(longThreshold: 8192, shortKeepProbability: 0.2),
                                 budget: .inputSize, seed: 3)
        let totals = Self.totals(options)
        let plan = try Self.plan(options)
        #expect(plan.source("books")!.longThreshold == 16384)
        let realized = Self.apply(plan)
        let input = Double(totals.values.reduce(0) { $0 + $1.tokens })
        #expect(abs(Double(realized.totalTokens) / input - 1) < 0.03)
        #expect(realized.maxCopies >= 2)
        for source in ["web", "books", "wiki"] {
            #expect(abs(realized.share(source) - 1.0 / 3) < 0.01, "\(source): \(realized.share(source))")
        }
    }

    @Test func documentSharesAndFixedTotal() throws {
        let options = MixOptions(unit: .documents, weights: ["web": 2, "books": 1, "wiki": 1], budget: .total(4000), seed: 4)
        let plan = try Self.plan(options)
        let realized = Self.apply(plan)
        let kept = Double(realized.documents.values.reduce(0, +))
        #expect(abs(kept - 4000) <= 3)
        #expect(abs(Double(realized.documents["web"]!) / kept - 0.5) < 0.01)
        #expect(abs(Double(realized.documents["books"]!) / kept - 0.25) < 0.01)
    }

    @Test func uncalibratedSpreadIsPredicted() throws {
        // Without calibration (independent Bernoulli draws), over 20 seeds the realized share
        // error has about the predicted standard deviation — here above 1%, which is why the
        // counting pass calibrates.
        var squaredErrors = 0.0
        var predicted = 0.0
        for seed in 0..<20 {
            let options = MixOptions(weights: ["web": 5, "books": 3, "wiki": 2],
                                     defaultUpsampling: LengthUpsampling(longThreshold: 8192, shortKeepProbability: 0.3),
                                     seed: UInt64(seed))
            let plan = try MixPlan.make(totals: Self.totals(options), options: options)
            #expect(plan.source("wiki")!.shortCutoff == plan.source("wiki")!.shortRate)
            let realized = Self.apply(plan)
            squaredErrors += pow(realized.share("wiki") - 0.2, 2)
            predicted = plan.source("wiki")!.expectedShareStandardDeviation
        }
        let rms = (squaredErrors / 20).squareRoot()
        print("wiki share: predicted sd \(predicted), realized rms \(rms)")
        #expect(rms < 2.5 * predicted)
        #expect(rms > predicted / 2.5)
        // The same options calibrated, for every seed: within 1%.
        var worst = 0.0
        defer { print("calibrated: worst share error over 20 seeds \(worst)") }
        for seed in 0..<20 {
            let options = MixOptions(weights: ["web": 5, "books": 3, "wiki": 2],
                                     defaultUpsampling: LengthUpsampling(longThreshold: 8192, shortKeepProbability: 0.3),
                                     seed: UInt64(seed))
            let realized = Self.apply(try Self.plan(options))
            for (source, target) in [("web", 0.5), ("books", 0.3), ("wiki", 0.2)] {
                worst = max(worst, abs(realized.share(source) - target))
                #expect(abs(realized.share(source) - target) < 0.01, "seed \(seed) \(source): \(realized.share(source))")
            }
        }
    }

    @Test func decisionsDependOnlyOnSeedSourceAndKey() throws {
        let options = MixOptions(defaultUpsampling: LengthUpsampling(longThreshold: 8192, shortKeepProbability: 0.3), seed: 9)
        let plan = try Self.plan(options)
        let forward = Self.corpus.map { plan.source($0.source)!.copies(ordinal: $0.ordinal, tokens: $0.tokens) }
        // Any order (as different threads would see them) gives the same decisions.
        let backward = Self.corpus.reversed().map { plan.source($0.source)!.copies(ordinal: $0.ordinal, tokens: $0.tokens) }
        #expect(forward == Array(backward.reversed()))
        let again = try Self.plan(options)
        #expect(Self.corpus.map { again.source($0.source)!.copies(ordinal: $0.ordinal, tokens: $0.tokens) } == forward)
        var reseeded = options
        reseeded.seed = 10
        let other = try Self.plan(reseeded)
        #expect(Self.corpus.map { other.source($0.source)!.copies(ordinal: $0.ordinal, tokens: $0.tokens) } != forward)
        #expect(SourcePlan.key(documentID: "a/1") == XXHash64.hash("a/1"))
        #expect(plan.copies(source: "web", ordinal: 5, tokens: 100) == plan.source("web")!.copies(ordinal: 5, tokens: 100))
        #expect(plan.copies(source: "unknown", ordinal: 5, tokens: 100) == nil)
    }

    @Test func planIsRecordedAsJSON() throws {
        let totals = ["a": SourceTotals(documents: 10, tokens: 1000, longDocuments: 1, longTokens: 500),
                      "b": SourceTotals(documents: 30, tokens: 1000)]
        let options = MixOptions(weights: ["a": 1, "b": 3], upsampling: ["a": LengthUpsampling(longThreshold: 400, shortKeepProbability: 0.5)],
                                 seed: 42)
        let plan = try MixPlan.make(totals: totals, options: options)
        // a: E = 500 + 0.5·500 = 750, share 0.25; b: E = 1000, share 0.75. K = min(750/0.25, 1000/0.75) = 1333.3.
        #expect(abs(plan.expectedTotal - 4000.0 / 3) < 1e-9)
        #expect(abs(plan.source("b")!.scale - 1) < 1e-12)
        #expect(abs(plan.source("a")!.longRate - (0.25 * 4000 / 3) / 750) < 1e-12)
        let json = JSONWriter.string(plan.json)
        #expect(json.hasPrefix(#"{"unit":"tokens","budget":"no-repetition","seed":42,"#))
        #expect(json.contains(#""a":{"documents":10,"tokens":1000,"long_documents":1,"long_tokens":500,"weight":1.0,"#))
        #expect(json.contains(#""long_threshold_tokens":400,"short_keep_probability":0.5"#))
    }

    @Test func countersMergeLikeOnePass() throws {
        let options = MixOptions(defaultUpsampling: LengthUpsampling(longThreshold: 8192, shortKeepProbability: 0.3), seed: 5)
        var first = MixTotalsCounter(options: options), second = MixTotalsCounter(options: options)
        for doc in Self.corpus { if doc.ordinal % 3 == 0 { first.add(source: doc.source, ordinal: doc.ordinal, tokens: doc.tokens) }
                                 else { second.add(source: doc.source, ordinal: doc.ordinal, tokens: doc.tokens) } }
        first.merge(second)
        let whole = Self.counter(options)
        #expect(first.totals == whole.totals)
        let merged = try MixPlan.make(counter: first), direct = try MixPlan.make(counter: whole)
        for (a, b) in zip(merged.sources, direct.sources) {
            #expect(a.shortCutoff == b.shortCutoff && a.longCutoff == b.longCutoff)
            #expect(a.scale == b.scale)
        }
    }

    @Test func badPlansNameTheSource() {
        let totals = ["a": SourceTotals(documents: 10, tokens: 1000), "b": SourceTotals(documents: 5, tokens: 500)]
        func message(_ options: MixOptions, _ t: [String: SourceTotals] = totals) -> String? {
            do { _ = try MixPlan.make(totals: t, options: options); return nil } catch let error as YiError {
                #expect(error.code == .usage)
                return error.message
            } catch { return "\(error)" }
        }
        #expect(message(MixOptions(weights: ["a": 1]))?.contains("source 'b' has no weight") == true)
        #expect(message(MixOptions(weights: ["a": 1, "b": 1, "c": 1]))?.contains("'c', which has no documents") == true)
        #expect(message(MixOptions(weights: ["a": 1, "b": -1]))?.contains("weight of 'b' must be ≥ 0") == true)
        #expect(message(MixOptions(weights: ["a": 0, "b": 0]))?.contains("all weights are 0") == true)
        #expect(message(MixOptions(upsampling: ["a": LengthUpsampling(longThreshold: 100, shortKeepProbability: 0)]))?
            .contains("'a' has no document of 100+ tokens") == true)
        #expect(message(MixOptions(defaultUpsampling: LengthUpsampling(longThreshold: 100, shortKeepProbability: 1.5)))?
            .contains("must be in [0, 1]") == true)
        #expect(message(MixOptions(), [:])?.contains("no sources") == true)
        // Weight 0 leaves a source out.
        let plan = try? MixPlan.make(totals: totals, options: MixOptions(weights: ["a": 1, "b": 0]))
        #expect(plan?.source("b")?.copies(ordinal: 3, tokens: 50) == 0)
        #expect(plan?.source("a")?.copies(ordinal: 3, tokens: 50) == 1)
    }
}

/// The mixing guards on totals shaped like the issue's starving recipe (a tiny second source at
/// weight 0.4 under the no-repetition budget) and on healthy plans.
@Suite struct MixGuardTests {
    static let starvingTotals = [
        "books": SourceTotals(documents: 6, tokens: 164_000, longDocuments: 2, longTokens: 150_000),
        "wikipedia": SourceTotals(documents: 3, tokens: 2_500),
    ]

    @Test func starvingMixNamesTheLimitingSourceAndTheDroppedLongDocuments() throws {
        let options = MixOptions(weights: ["books": 0.6, "wikipedia": 0.4],
                                 defaultUpsampling: LengthUpsampling(longThreshold: 8192, shortKeepProbability: 0.3))
        let plan = try MixPlan.make(totals: Self.starvingTotals, options: options)
        let warnings = plan.warnings
        #expect(warnings.map(\.kind) == ["small-mix", "long-documents-dropped"])
        #expect(warnings[0].source == "wikipedia")
        #expect(warnings[0].message.contains("source 'wikipedia' limits the no-repetition budget"))
        #expect(warnings[1].source == "books")
        #expect(plan.source("books")!.longRate < 0.05)
    }

    @Test func healthyPlansHaveNoWarnings() throws {
        // Natural shares, no upsampling: everything kept once.
        #expect(try MixPlan.make(totals: Self.starvingTotals, options: MixOptions()).warnings.isEmpty)
        // The same weights with a budget that repeats documents instead of dropping them.
        let repeated = MixOptions(weights: ["books": 0.6, "wikipedia": 0.4], budget: .inputSize)
        let plan = try MixPlan.make(totals: Self.starvingTotals, options: repeated)
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")
        // A small budget on purpose is still a small mix.
        let small = try MixPlan.make(totals: Self.starvingTotals, options: MixOptions(budget: .total(10_000)))
        #expect(small.warnings.map(\.kind) == ["small-mix"])
    }
}
