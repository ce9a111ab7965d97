import YiCore

/// The context-extension methods `yi-prep rope` writes.
public enum RopeMethod: String, CaseIterable, Sendable {
    case linear, ntk, dynamic, yarn
}

/// Optional knobs; nil means the method's documented default.
public struct RopeOptions: Sendable, Equatable {
    /// The pre-trained length, when the config's own keys do not tell it (an already-extended config).
    public var originalLength: Int?
    /// transformers' `dynamic` factor (default 1.0, see `RopePatcher`).
    public var dynamicFactor: Double?
    /// YaRN `beta_fast` / `beta_slow` / `attention_factor`; written only when given.
    public var yarnBetaFast: Double?
    public var yarnBetaSlow: Double?
    public var yarnAttentionFactor: Double?

    public init(originalLength: Int? = nil, dynamicFactor: Double? = nil, yarnBetaFast: Double? = nil,
                yarnBetaSlow: Double? = nil, yarnAttentionFactor: Double? = nil) {
        self.originalLength = originalLength
        self.dynamicFactor = dynamicFactor
        self.yarnBetaFast = yarnBetaFast
        self.yarnBetaSlow = yarnBetaSlow
        self.yarnAttentionFactor = yarnAttentionFactor
    }
}

/// A patched config with the reasons for each choice.
public struct RopePatchResult: Sendable {
    public var config: JSONValue
    public var geometry: RopeGeometry
    public var method: RopeMethod
    public var targetLength: Int
    /// One or two lines per decision, for the user.
    public var explanation: [String]
    /// Where the chosen method is commonly misused, or something in the input looks off.
    public var warnings: [String]
    /// False when target ≤ original: the config is returned unchanged.
    public var changed: Bool
}

/// Patches a Hugging Face `config.json` for a longer context, in the form transformers reads
/// (`modeling_rope_utils.py`: `ROPE_INIT_FUNCTIONS` and the `_validate_*` functions):
///
/// - `linear`: `rope_scaling = {"rope_type": "linear", "type": "linear", "factor": ceil(T/O)}`,
///   `max_position_embeddings = T`.
/// - `ntk`: `rope_theta = base * s^(d/(d-2))`, s = T/O, no `rope_scaling`, `max_position_embeddings = T`.
/// - `dynamic`: `{"rope_type": "dynamic", "type": "dynamic", "factor": f}` with
///   `max_position_embeddings` kept at O, because transformers uses it as the pre-trained length
///   in `base * (f*L/O - (f-1))^(d/(d-2))`; f defaults to 1.0, which at L = T gives exactly the NTK
///   base (f is a slope, not the extension ratio).
/// - `yarn`: `{"rope_type": "yarn", "factor": T/O, "original_max_position_embeddings": O}` plus the
///   optional beta_fast/beta_slow/attention_factor, `max_position_embeddings = T` (transformers
///   checks that max_position_embeddings / original_max_position_embeddings equals factor).
///
/// Unrelated keys keep their values and order. A 5.x config (`rope_parameters`) is patched in place.
public enum RopePatcher {
    public static func patch(_ config: JSONValue, targetLength: Int, method: RopeMethod,
                             options: RopeOptions = RopeOptions()) throws -> RopePatchResult {
        guard targetLength > 0 else { throw YiError(.usage, "--target-len must be positive, got \(targetLength)") }
        if let original = options.originalLength, original <= 0 {
            throw YiError(.usage, "--original-len must be positive, got \(original)")
        }
        let geometry = try RopeGeometry.read(from: config, originalLengthOverride: options.originalLength)
        var result = RopePatchResult(config: config, geometry: geometry, method: method, targetLength: targetLength,
                                     explanation: [], warnings: [], changed: false)
        result.explanation.append(geometry.summary)
        if geometry.baseThetaIsDefault {
            result.warnings.append("config has no rope_theta; using transformers' default base 10000")
        }
        guard targetLength > geometry.originalLength else {
            result.warnings.append("target length \(targetLength) is not longer than the pre-trained length \(geometry.originalLength) (\(geometry.originalLengthSource)): no RoPE scaling needed, config left unchanged")
            return result
        }
        if let existing = geometry.existingScaling {
            result.warnings.append("the config already has RoPE scaling \(JSONWriter.string(existing)); it is replaced, and the pre-trained length is taken from \(geometry.originalLengthSource) = \(geometry.originalLength) (pass --original-len if that is not the pre-trained length)")
        }
        var editor = RopeConfigEditor(config: config, layout: geometry.layout)
        switch method {
        case .linear: applyLinear(&editor, &result)
        case .ntk: applyNTK(&editor, &result)
        case .dynamic: try applyDynamic(&editor, &result, factor: options.dynamicFactor ?? 1.0)
        case .yarn: try applyYarn(&editor, &result, options: options)
        }
        result.config = editor.config
        result.changed = true
        return result
    }

    private static func applyLinear(_ editor: inout RopeConfigEditor, _ result: inout RopePatchResult) {
        let g = result.geometry, target = result.targetLength
        let factor = RopeMath.linearFactor(target: target, original: g.originalLength)
        editor.setScaling([("rope_type", .string("linear")), ("type", .string("linear")), ("factor", .double(factor))])
        editor.setMaxPositions(target)
        result.explanation.append("linear: positions are divided by factor \(fmt(factor)) = ceil(\(target) / \(g.originalLength)), so \(target) positions fall inside the pre-trained \(g.originalLength); max_position_embeddings = \(target).")
        if Double(target) != factor * Double(g.originalLength) {
            result.explanation.append("linear: \(target) is not a multiple of \(g.originalLength); the rounded-up factor covers \(Int(factor) * g.originalLength) positions.")
        }
        result.warnings.append("linear interpolation needs fine-tuning at the target length: without it the model sees positions squeezed \(fmt(factor))× closer than in pre-training and degrades at every length, short inputs included")
    }

    private static func applyNTK(_ editor: inout RopeConfigEditor, _ result: inout RopePatchResult) {
        let g = result.geometry, target = result.targetLength
        let scale = Double(target) / Double(g.originalLength)
        let theta = RopeMath.ntkTheta(base: g.baseTheta, scale: scale, rotaryDim: g.rotaryDim)
        editor.setTheta(theta)
        editor.removeScaling()
        editor.setMaxPositions(target)
        result.explanation.append("ntk: rope_theta \(fmt(g.baseTheta)) → \(fmt(theta)) = base × \(fmt(scale))^(\(g.rotaryDim)/\(g.rotaryDim - 2)): the slowest rotary frequency is stretched by exactly \(fmt(scale)), the fastest stay almost unchanged; no rope_scaling, max_position_embeddings = \(target).")
        result.warnings.append("NTK-aware scaling without fine-tuning only partly works (quality drops toward the target length); fine-tune at \(target) tokens with this rope_theta for full quality")
    }

    private static func applyDynamic(_ editor: inout RopeConfigEditor, _ result: inout RopePatchResult, factor: Double) throws {
        let g = result.geometry, target = result.targetLength
        guard factor >= 1, factor.isFinite else { throw YiError(.usage, "--dynamic-factor must be ≥ 1 (transformers rejects smaller factors), got \(factor)") }
        let scale = Double(target) / Double(g.originalLength)
        editor.setScaling([("rope_type", .string("dynamic")), ("type", .string("dynamic")), ("factor", .double(factor))])
        editor.setMaxPositions(g.originalLength)
        let thetaAtTarget = RopeMath.dynamicTheta(base: g.baseTheta, factor: factor, sequenceLength: target,
                                                  maxPositionEmbeddings: g.originalLength, rotaryDim: g.rotaryDim)
        result.explanation.append("dynamic: transformers recomputes the base for each input of L > \(g.originalLength) tokens as base × (f·L/\(g.originalLength) − (f−1))^(\(g.rotaryDim)/\(g.rotaryDim - 2)); with f = \(fmt(factor)) that is \(fmt(thetaAtTarget)) at L = \(target)\(factor == 1 ? ", the same base as --method ntk" : ""); inputs ≤ \(g.originalLength) keep the original RoPE.")
        result.explanation.append("dynamic: max_position_embeddings stays \(g.originalLength): transformers reads it as the pre-trained length in that formula (raising it to \(target) would switch the scaling off below \(target) tokens).")
        let ratioFactorTheta = RopeMath.dynamicTheta(base: g.baseTheta, factor: scale, sequenceLength: target,
                                                     maxPositionEmbeddings: g.originalLength, rotaryDim: g.rotaryDim)
        result.warnings.append("transformers' dynamic factor is not the extension ratio: factor \(fmt(scale)) (= \(target)/\(g.originalLength)) would give base \(fmt(ratioFactorTheta)) at \(target) tokens, stretching the slowest frequency \(fmt(scale * scale - scale + 1))× instead of \(fmt(scale))×")
        if factor == scale, scale != 1 {
            result.warnings.append("--dynamic-factor \(fmt(factor)) equals the extension ratio; that over-scales as described above")
        }
        result.warnings.append("dynamic NTK is an inference-time method: the rotary base changes with input length, so do not fine-tune with it; tools that read max_position_embeddings as the context limit (vLLM, TGI) will still allow only \(g.originalLength) tokens, or interpret the factor as the ratio; use ntk or yarn for them")
    }

    private static func applyYarn(_ editor: inout RopeConfigEditor, _ result: inout RopePatchResult, options: RopeOptions) throws {
        let g = result.geometry, target = result.targetLength
        let factor = Double(target) / Double(g.originalLength)
        var scaling: [(String, JSONValue)] = [
            ("rope_type", .string("yarn")), ("factor", .double(factor)),
            ("original_max_position_embeddings", .int(Int64(g.originalLength))),
        ]
        for (key, value) in [("beta_fast", options.yarnBetaFast), ("beta_slow", options.yarnBetaSlow),
                             ("attention_factor", options.yarnAttentionFactor)] {
            guard let value else { continue }
            guard value.isFinite, value > 0 else { throw YiError(.usage, "YaRN \(key) must be a positive number, got \(value)") }
            scaling.append((key, .double(value)))
        }
        let betaFast = options.yarnBetaFast ?? 32, betaSlow = options.yarnBetaSlow ?? 1
        guard betaFast >= betaSlow else { throw YiError(.usage, "YaRN beta_fast (\(betaFast)) must not be smaller than beta_slow (\(betaSlow))") }
        editor.setScaling(scaling)
        editor.setMaxPositions(target)
        let range = RopeMath.yarnCorrectionRange(betaFast: betaFast, betaSlow: betaSlow, rotaryDim: g.rotaryDim,
                                                 base: g.baseTheta, originalLength: g.originalLength)
        let attention = options.yarnAttentionFactor ?? RopeMath.yarnAttentionFactor(factor: factor)
        result.explanation.append("yarn: factor \(fmt(factor)) = \(target)/\(g.originalLength); of the \(g.rotaryDim / 2) frequency pairs, pairs below \(range.low) keep their frequency, pairs from \(range.high) on are interpolated by \(fmt(factor)), a linear ramp in between (beta_fast \(fmt(betaFast)), beta_slow \(fmt(betaSlow))).")
        result.explanation.append("yarn: attention logits are scaled by attention_factor \(fmt(attention))\(options.yarnAttentionFactor == nil ? " = 0.1·ln(factor) + 1 (transformers' default)" : ""); max_position_embeddings = \(target), original_max_position_embeddings = \(g.originalLength).")
        result.warnings.append("YaRN works without fine-tuning but is best after a short fine-tune at the target length; it needs a transformers version that reads rope_scaling.original_max_position_embeddings for yarn (older ones take max_position_embeddings = \(target) as the pre-trained length and place the ramp wrongly)")
    }

    /// Numbers as a person reads them: integers without a fraction, others with up to 4 decimals.
    static func fmt(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) + (abs(value) < 100 ? ".0" : "") }
        let scaled = (value * 10_000).rounded() / 10_000
        return "\(scaled)"
    }
}

extension RopeGeometry {
    /// One line: what was read and from where.
    var summary: String {
        let dims = rotaryDim == headDim ? "head_dim \(headDim)" : "head_dim \(headDim), rotary dims \(rotaryDim)"
        return "read: \(dims), pre-trained length \(originalLength) (\(originalLengthSource)), rope_theta \(RopePatcher.fmt(baseTheta))\(layout == .ropeParameters ? ", transformers 5 rope_parameters layout" : "")."
    }
}
