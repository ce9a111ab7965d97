import Foundation

/// A mixing plan that quietly makes a useless dataset is the worst outcome of a recipe: these
/// checks name what the plan gives up, before anything is written. `yi-prep` prints them as
/// warnings, records them in the manifest (`extra.mix_plan.warnings`) and fails under `--strict`.
public struct MixWarning: Sendable, Equatable {
    /// `small-mix` (less than half of the input kept) or `long-documents-dropped` (a source's
    /// long documents kept at a rate below 1).
    public var kind: String
    /// The source the warning is about (the limiting one for `small-mix`).
    public var source: String?
    public var message: String
}

extension MixPlan {
    /// Below this fraction of the input (in the share unit) a mix is reported as small.
    public static let smallMixFraction = 0.5

    public var warnings: [MixWarning] {
        let unit = options.unit.rawValue
        func units(_ s: SourcePlan) -> (total: Double, long: Double) {
            options.unit == .tokens ? (Double(s.totals.tokens), Double(s.totals.longTokens))
                : (Double(s.totals.documents), Double(s.totals.longDocuments))
        }
        var warnings: [MixWarning] = []
        let input = sources.reduce(0.0) { $0 + units($1).total }
        if input > 0 && expectedTotal < Self.smallMixFraction * input {
            let kept = expectedTotal / input
            var message = "the mix keeps about \(f1(kept * 100))% of the input \(unit) (\(f0(expectedTotal)) of \(f0(input)))"
            var limiting: String?
            if case .noRepetition = options.budget {
                // The source whose whole supply, at its target share, bounds the mix size.
                let capacities = sources.compactMap { s -> (String, Double)? in
                    guard s.targetShare > 0 else { return nil }
                    let (total, long) = units(s)
                    let effective = long + s.shortKeepProbability * (total - long)
                    let top = long > 0 ? 1 : s.shortKeepProbability
                    return (s.name, effective / (s.targetShare * top))
                }
                if let (name, _) = capacities.min(by: { $0.1 < $1.1 }), let s = source(name) {
                    limiting = name
                    let natural = units(s).total / input
                    message += ": source '\(name)' limits the no-repetition budget (target share \(f1(s.targetShare * 100))%, "
                        + "but only \(f1(natural * 100))% of the input)"
                    message += ". Fix: lower its weight toward its natural share, drop the weights (natural shares), or use budget: input-size (repeats documents)"
                }
            } else {
                message += ". Fix: raise the budget (\(options.budget.name))"
            }
            warnings.append(MixWarning(kind: "small-mix", source: limiting, message: message))
        }
        // One warning for all sources whose long documents are sampled down, the worst first.
        let starved = sources.filter { $0.longThreshold != nil && $0.targetShare > 0 && $0.totals.longDocuments > 0 && $0.longRate < 0.999 }
            .sorted { ($0.longRate, $0.name) < ($1.longRate, $1.name) }
        if let worst = starved.first {
            let threshold = worst.longThreshold.map { "\($0)" } ?? "?"
            let list = starved.prefix(5).map { "'\($0.name)' \(String(format: "%.3f", $0.longRate)) of \($0.totals.longDocuments)" }
                .joined(separator: ", ") + (starved.count > 5 ? ", and \(starved.count - 5) more" : "")
            warnings.append(MixWarning(kind: "long-documents-dropped", source: worst.name, message:
                "long documents (≥ \(threshold) tokens) are kept at a rate below 1, so some are dropped: \(list). "
                + "Fix: give '\(worst.name)' a larger weight, drop the weights, or use budget: input-size"))
        }
        return warnings
    }
}

private func f0(_ x: Double) -> String { String(format: "%.0f", x) }
private func f1(_ x: Double) -> String { String(format: "%.1f", x) }
