import YiCore
import YiFilters
import YiTokenizer

/// The counting pass of source mixing: every document of the run is read, filtered and tokenized
/// once to learn each source's totals, from which `MixPlan` derives per-document copy counts that
/// hold each source's share (Fu et al. 2024). Parts are counted one by one with the same filters
/// as packing (dedup state per part), so both passes see the same documents. Every rank computes
/// the same plan, so a distributed run stays byte-identical to a single one.
enum MixCounting {
    static func plan(_ mix: MixOptions, inputs plan: InputPlan, options: PackOptions, model: SentencePieceModel) throws -> MixPlan {
        var counter = MixTotalsCounter(options: mix)
        // Rejected records are counted by the packing pass; this pass must not count them twice.
        let silent = try RejectLog(strict: options.strict)
        for part in plan.parts {
            let stream = EncodedStream(inputs: Array(plan.inputs[part.inputs]), options: options, model: model, rejects: silent)
            _ = try stream.run { document in
                guard document.dropReason == nil else { return }
                counter.add(source: document.source, key: SourcePlan.key(documentID: document.id), tokens: document.tokens.count)
            }
        }
        return try MixPlan.make(counter: counter)
    }

    /// Prints the plan's warnings; under `--strict` the first one is an error (exit 2, nothing
    /// written yet).
    static func report(_ warnings: [MixWarning], strict: Bool, log: (String) -> Void) throws {
        for warning in warnings { log("warning: mixing: \(warning.message)") }
        if strict, let first = warnings.first {
            throw YiError(.usage, "mixing: \(first.message) (--strict: a mix warning is an error)")
        }
    }
}
