import YiCore

/// Where a config keeps its RoPE settings.
public enum RopeConfigLayout: String, Sendable, Equatable {
    /// transformers 4.x: top-level `rope_theta` and `rope_scaling` (null or a dict).
    case ropeScaling
    /// transformers 5.x: one `rope_parameters` dict holding `rope_type`, `rope_theta`, and the
    /// scaling keys. (transformers 5 still reads a 4.x file: it folds `rope_scaling` and the
    /// top-level `rope_theta` into `rope_parameters` when loading.)
    case ropeParameters
}

/// What the RoPE patcher reads from a Hugging Face `config.json`.
public struct RopeGeometry: Sendable, Equatable {
    /// Per-head dimension: the `head_dim` key, else `hidden_size / num_attention_heads`.
    public var headDim: Int
    /// Dimensions that rotate: `head_dim * partial_rotary_factor` (all of them for Yi/Llama).
    public var rotaryDim: Int
    /// The pre-trained context length the scaling is relative to.
    public var originalLength: Int
    /// Which key `originalLength` came from (shown to the user).
    public var originalLengthSource: String
    /// `rope_theta` (10000, transformers' default, when the config has none).
    public var baseTheta: Double
    public var baseThetaIsDefault: Bool
    public var layout: RopeConfigLayout
    /// The scaling dict the config already has (a non-default `rope_scaling`/`rope_parameters`).
    public var existingScaling: JSONValue?
}

extension RopeGeometry {
    /// Reads the geometry; missing or non-numeric keys are `YiError(.usage)` naming the key.
    public static func read(from config: JSONValue, originalLengthOverride: Int? = nil) throws -> RopeGeometry {
        guard case .object = config else { throw YiError(.usage, "config.json is not a JSON object") }

        let ropeParameters = config["rope_parameters"].flatMap { $0 == .null ? nil : $0 }
        let layout: RopeConfigLayout = ropeParameters == nil ? .ropeScaling : .ropeParameters
        if let ropeParameters {
            guard case .object(let members) = ropeParameters else {
                throw YiError(.usage, "config key \"rope_parameters\" must be an object")
            }
            if !members.isEmpty, members.allSatisfy({ if case .object = $0.1 { return true } else { return false } }) {
                throw YiError(.usage, "config key \"rope_parameters\" holds one RoPE setting per layer type (\(members.map(\.0).joined(separator: ", "))); per-layer RoPE configs are not supported")
            }
        }
        let ropeScaling = config["rope_scaling"].flatMap { $0 == .null ? nil : $0 }
        if let ropeScaling, case .object = ropeScaling {} else if ropeScaling != nil {
            throw YiError(.usage, "config key \"rope_scaling\" must be an object or null")
        }
        // transformers 5 gives a non-null rope_scaling priority over rope_parameters when loading.
        let scalingDict = ropeScaling ?? ropeParameters

        let headDim: Int
        if let explicit = try optionalInteger(config, "head_dim") {
            guard explicit > 0 else { throw YiError(.usage, "config key \"head_dim\" must be positive, got \(explicit)") }
            headDim = explicit
        } else {
            let hidden = try requiredInteger(config, "hidden_size")
            let heads = try requiredInteger(config, "num_attention_heads")
            guard hidden > 0, heads > 0, hidden % heads == 0 else {
                throw YiError(.usage, "config keys \"hidden_size\" (\(hidden)) and \"num_attention_heads\" (\(heads)) do not give a whole head dimension; add \"head_dim\"")
            }
            headDim = hidden / heads
        }

        let partial = try optionalNumber(ropeParameters, "partial_rotary_factor", prefix: "rope_parameters.")
            ?? optionalNumber(config, "partial_rotary_factor") ?? 1.0
        guard partial > 0, partial <= 1 else {
            throw YiError(.usage, "config key \"partial_rotary_factor\" must be in (0, 1], got \(partial)")
        }
        let rotaryDim = Int(Double(headDim) * partial)
        guard rotaryDim >= 4, rotaryDim % 2 == 0 else {
            throw YiError(.usage, "rotary dimension \(rotaryDim) (head_dim \(headDim) × partial_rotary_factor \(partial)) must be an even number ≥ 4")
        }

        let maxPositions = try requiredInteger(config, "max_position_embeddings")
        var originalLength = maxPositions
        var source = "max_position_embeddings"
        if let override = originalLengthOverride {
            originalLength = override
            source = "--original-len"
        } else if let nested = try optionalInteger(scalingDict, "original_max_position_embeddings",
                                                   prefix: ropeScaling != nil ? "rope_scaling." : "rope_parameters.") {
            originalLength = nested
            source = (ropeScaling != nil ? "rope_scaling" : "rope_parameters") + ".original_max_position_embeddings"
        } else if let topLevel = try optionalInteger(config, "original_max_position_embeddings") {
            originalLength = topLevel
            source = "original_max_position_embeddings"
        }
        guard originalLength > 0 else { throw YiError(.usage, "\(source) must be positive, got \(originalLength)") }

        let theta = try optionalNumber(ropeParameters, "rope_theta", prefix: "rope_parameters.")
            ?? optionalNumber(config, "rope_theta")
        guard theta.map({ $0 > 1 }) ?? true else { throw YiError(.usage, "config key \"rope_theta\" must be greater than 1, got \(theta!)") }

        var existing: JSONValue?
        if let scalingDict {
            let type = scalingDict["rope_type"]?.stringValue ?? scalingDict["type"]?.stringValue ?? "default"
            if type != "default" { existing = scalingDict }
        }
        return RopeGeometry(headDim: headDim, rotaryDim: rotaryDim, originalLength: originalLength,
                            originalLengthSource: source, baseTheta: theta ?? 10_000, baseThetaIsDefault: theta == nil,
                            layout: layout, existingScaling: existing)
    }

    private static func requiredInteger(_ object: JSONValue, _ key: String) throws -> Int {
        guard let value = try optionalInteger(object, key) else {
            throw YiError(.usage, "config.json has no \"\(key)\" (needed for RoPE scaling)")
        }
        return value
    }

    private static func optionalInteger(_ object: JSONValue?, _ key: String, prefix: String = "") throws -> Int? {
        guard let value = object?[key], value != .null else { return nil }
        guard let integer = value.intValue, let int = Int(exactly: integer) else {
            throw YiError(.usage, "config key \"\(prefix)\(key)\" must be an integer, got \(JSONWriter.string(value))")
        }
        return int
    }

    private static func optionalNumber(_ object: JSONValue?, _ key: String, prefix: String = "") throws -> Double? {
        guard let value = object?[key], value != .null else { return nil }
        guard let number = value.doubleValue, number.isFinite else {
            throw YiError(.usage, "config key \"\(prefix)\(key)\" must be a number, got \(JSONWriter.string(value))")
        }
        return number
    }
}
