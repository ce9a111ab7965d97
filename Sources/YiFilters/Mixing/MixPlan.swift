import Foundation
import YiCore

/// Per-source sampling rates that give each source its target share of the mix, with length
/// upsampling, decided before the documents stream through.
///
/// For source s with short/long units S_s, L_s (tokens or documents), upsampling weight p_s for
/// short documents and target share π_s, the effective size is E_s = L_s + p_s·S_s and the scale
/// f_s = π_s·K / E_s, where K is the mix size. A long document is kept `f_s` times in
/// expectation, a short one `f_s·p_s` times; expected kept units are f_s·E_s = π_s·K, exactly the
/// target share. K follows from the budget: the largest K with every rate ≤ 1 (no repetition),
/// the input size, or a given total.
///
/// Each document's number of copies is ⌊rate⌋ plus one more when its draw u (from
/// SplitMix64(seed, source, document key) alone) is below its class's cutoff — independent of
/// threads and of the other documents. Without calibration the cutoff is frac(rate): shares are
/// exact in expectation and vary by about `expectedShareStandardDeviation` (Bernoulli sampling of
/// documents whose sizes vary); with the counting pass's `MixCalibration` the cutoffs are chosen
/// so the kept mass of each source hits its target (see `MixCalibration`).
public struct MixPlan: Sendable {
    public let options: MixOptions
    /// Sources by name (sorted).
    public let sources: [SourcePlan]
    /// K: the expected size of the mix in the share unit.
    public let expectedTotal: Double

    public func source(_ name: String) -> SourcePlan? { sources.first { $0.name == name } }

    /// Copies of a document (see `SourcePlan.copies`); nil for a source the plan does not know
    /// (the counting pass and the run disagree: a pipeline error to report, not to guess).
    public func copies(source: String, ordinal: Int, tokens: Int) -> Int? {
        self.source(source)?.copies(ordinal: ordinal, tokens: tokens)
    }

    /// The plan from a counting pass: totals and calibration.
    public static func make(counter: MixTotalsCounter) throws -> MixPlan {
        try make(totals: counter.totals, options: counter.options, calibration: counter.calibration)
    }

    /// `calibration`: per-source histograms from `MixTotalsCounter` over the same documents with
    /// the same keys; nil (for example with estimated totals) leaves λ = 1.
    public static func make(totals: [String: SourceTotals], options: MixOptions,
                            calibration: [String: MixCalibration]? = nil) throws -> MixPlan {
        let names = totals.keys.sorted()
        guard !names.isEmpty else { throw YiError(.usage, "mix: no sources to mix (the input is empty)") }
        func units(_ t: SourceTotals) -> (total: Double, long: Double) {
            options.unit == .tokens ? (Double(t.tokens), Double(t.longTokens))
                : (Double(t.documents), Double(t.longDocuments))
        }
        // Target shares.
        var shares: [String: Double] = [:]
        if let weights = options.weights {
            for name in weights.keys.sorted() where totals[name] == nil {
                throw YiError(.usage, "mix: weight given for source '\(name)', which has no documents (sources: \(names.joined(separator: ", ")))")
            }
            for name in names {
                guard let weight = weights[name] else {
                    throw YiError(.usage, "mix: source '\(name)' has no weight (give it weight 0 to leave it out)")
                }
                guard weight >= 0, weight.isFinite else { throw YiError(.usage, "mix: weight of '\(name)' must be ≥ 0 (got \(weight))") }
                shares[name] = weight
            }
        } else {
            for name in names { shares[name] = units(totals[name]!).total }
        }
        let shareSum = shares.values.reduce(0, +)
        guard shareSum > 0 else { throw YiError(.usage, "mix: all weights are 0 (or the input is empty)") }
        for name in names { shares[name]! /= shareSum }

        // Effective sizes and the largest rate per unit of K.
        struct Shape { var effective: Double; var p: Double; var hasLong: Bool }
        var shapes: [String: Shape] = [:]
        for name in names {
            let (total, long) = units(totals[name]!)
            let upsampling = options.upsampling(for: name)
            if let upsampling {
                guard upsampling.shortKeepProbability >= 0, upsampling.shortKeepProbability <= 1 else {
                    throw YiError(.usage, "mix: short-keep probability of '\(name)' must be in [0, 1] (got \(upsampling.shortKeepProbability))")
                }
                guard upsampling.longThreshold > 0 else {
                    throw YiError(.usage, "mix: long threshold of '\(name)' must be > 0 tokens (got \(upsampling.longThreshold))")
                }
            }
            let p = upsampling?.shortKeepProbability ?? 1
            let effective = long + p * (total - long)
            if shares[name]! > 0 && effective <= 0 {
                throw YiError(.usage, upsampling != nil && total > 0
                    ? "mix: source '\(name)' has no document of \(upsampling!.longThreshold)+ tokens and short-keep 0: it cannot supply its share"
                    : "mix: source '\(name)' is empty and cannot supply its share")
            }
            shapes[name] = Shape(effective: effective, p: p, hasLong: long > 0)
        }

        let inputTotal = names.reduce(0.0) { $0 + units(totals[$1]!).total }
        let k: Double
        switch options.budget {
        case .total(let n):
            guard n > 0 else { throw YiError(.usage, "mix: total must be > 0 (got \(n))") }
            k = Double(n)
        case .inputSize:
            k = inputTotal
        case .noRepetition:
            // Rate of the most-kept document class of s is π_s·K/E_s (long, or short if none is long).
            k = names.compactMap { name -> Double? in
                let share = shares[name]!, shape = shapes[name]!
                guard share > 0 else { return nil }
                let topWeight = shape.hasLong ? 1 : shape.p
                return shape.effective / (share * topWeight)
            }.min()!
        }

        let sources = names.map { name -> SourcePlan in
            let share = shares[name]!, shape = shapes[name]!, t = totals[name]!
            let scale = share > 0 ? share * k / shape.effective : 0
            let upsampling = options.upsampling(for: name)
            let shortRate = scale * shape.p
            // Var(kept units) = Σ_d frac(r_d)·(1 − frac(r_d))·size_d²: only the fractional part of
            // a rate is drawn. The share's error is taken as that of the source's kept units over
            // K (first order: the realized K varies too).
            let fractional = { (r: Double) in (r - r.rounded(.down)) * (1 - (r - r.rounded(.down))) }
            let (longSquares, allSquares) = options.unit == .tokens
                ? (t.longSumSquaredTokens, t.sumSquaredTokens) : (Double(t.longDocuments), Double(t.documents))
            let variance = fractional(scale) * longSquares + fractional(shortRate) * (allSquares - longSquares)
            let sd = k > 0 ? variance.squareRoot() / k : 0
            let frac = { (r: Double) in r - r.rounded(.down) }
            var cutoffs = (short: frac(shortRate), long: frac(scale))
            if let histogram = calibration?[name], share > 0 {
                let (total, long) = units(t)
                let fractionalTarget = share * k - scale.rounded(.down) * long - shortRate.rounded(.down) * (total - long)
                cutoffs = histogram.cutoffs(longTarget: frac(scale) * long, total: fractionalTarget)
            }
            return SourcePlan(name: name, totals: t, weight: options.weights?[name], targetShare: share,
                              longThreshold: upsampling?.longThreshold, shortKeepProbability: shape.p,
                              scale: scale, expectedUnits: share * k, expectedShareStandardDeviation: sd,
                              shortCutoff: cutoffs.short, longCutoff: cutoffs.long,
                              calibrated: calibration?[name] != nil && share > 0, seed: options.seed)
        }
        return MixPlan(options: options, sources: sources, expectedTotal: k)
    }
}

/// One source's part of a `MixPlan`: its rates and the per-document decision.
public struct SourcePlan: Sendable, Equatable {
    public let name: String
    public let totals: SourceTotals
    public let weight: Double?
    public let targetShare: Double
    /// nil: no length upsampling for this source.
    public let longThreshold: Int?
    public let shortKeepProbability: Double
    /// f: the expected copies of a long document (of any document without upsampling).
    public let scale: Double
    public let expectedUnits: Double
    /// Predicted standard deviation of the realized share without calibration (from the
    /// totals' Σ size²); with calibration the error is about one document.
    public let expectedShareStandardDeviation: Double
    /// A document gets its extra copy when its draw is below the cutoff of its class
    /// (frac(rate) when not calibrated).
    public let shortCutoff: Double
    public let longCutoff: Double
    public let calibrated: Bool
    private let sourceKey: UInt64

    init(name: String, totals: SourceTotals, weight: Double?, targetShare: Double, longThreshold: Int?,
         shortKeepProbability: Double, scale: Double, expectedUnits: Double, expectedShareStandardDeviation: Double,
         shortCutoff: Double, longCutoff: Double, calibrated: Bool, seed: UInt64) {
        self.name = name
        self.totals = totals
        self.weight = weight
        self.targetShare = targetShare
        self.longThreshold = longThreshold
        self.shortKeepProbability = shortKeepProbability
        self.scale = scale
        self.expectedUnits = expectedUnits
        self.expectedShareStandardDeviation = expectedShareStandardDeviation
        self.shortCutoff = shortCutoff
        self.longCutoff = longCutoff
        self.calibrated = calibrated
        sourceKey = MixCalibration.sourceKey(seed: seed, source: name)
    }

    public var longRate: Double { scale }
    public var shortRate: Double { scale * shortKeepProbability }

    public func isLong(tokens: Int) -> Bool { longThreshold.map { tokens >= $0 } ?? false }

    /// Expected copies of a document of `tokens` tokens.
    public func rate(tokens: Int) -> Double { isLong(tokens: tokens) ? longRate : shortRate }

    /// How many times to emit the document (0 drops it): ⌊rate⌋, plus 1 when its draw is below
    /// its class's cutoff. `key` identifies the document — its ordinal in the input, or
    /// `SourcePlan.key(documentID:)` — and alone with the seed decides the draw.
    public func copies(key: UInt64, tokens: Int) -> Int {
        let long = isLong(tokens: tokens)
        let whole = Int((long ? longRate : shortRate).rounded(.down))
        let u = MixCalibration.draw(sourceKey: sourceKey, key: key)
        return whole + (u < (long ? longCutoff : shortCutoff) ? 1 : 0)
    }

    public func copies(ordinal: Int, tokens: Int) -> Int { copies(key: UInt64(bitPattern: Int64(ordinal)), tokens: tokens) }

    /// A document key from its id (stable across runs that number documents differently).
    public static func key(documentID: String) -> UInt64 { XXHash64.hash(documentID) }
}
