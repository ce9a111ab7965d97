import YiCore

/// Edits the RoPE keys of a config object in place: existing keys keep their position, new keys are
/// added after `rope_theta` (or at the end), everything else is untouched.
struct RopeConfigEditor {
    private(set) var config: JSONValue
    let layout: RopeConfigLayout

    /// Keys that describe a scaling method; anything else in a scaling dict (e.g. `rope_theta`,
    /// `partial_rotary_factor`, `mrope_section`) is carried over when the method is replaced.
    static let scalingKeys: Set<String> = [
        "rope_type", "type", "factor", "original_max_position_embeddings", "attention_factor",
        "beta_fast", "beta_slow", "mscale", "mscale_all_dim", "truncate", "short_factor", "long_factor",
        "low_freq_factor", "high_freq_factor",
    ]

    init(config: JSONValue, layout: RopeConfigLayout) {
        self.config = config
        self.layout = layout
    }

    mutating func setMaxPositions(_ length: Int) {
        set("max_position_embeddings", .int(Int64(length)))
    }

    mutating func setTheta(_ theta: Double) {
        switch layout {
        case .ropeScaling:
            set("rope_theta", .double(theta))
        case .ropeParameters:
            var parameters = config["rope_parameters"] ?? .object([])
            parameters.setMember("rope_theta", .double(theta))
            set("rope_parameters", parameters)
            // transformers 5 prefers rope_parameters.rope_theta; keep a top-level copy consistent.
            if config["rope_theta"] != nil { set("rope_theta", .double(theta)) }
        }
    }

    /// Replaces the scaling method (nil: plain RoPE).
    mutating func setScaling(_ scaling: [(String, JSONValue)]?) {
        switch layout {
        case .ropeScaling:
            let carried = Self.carriedMembers(of: config["rope_scaling"])
            if let scaling {
                set("rope_scaling", .object(scaling + carried))
            } else if carried.isEmpty {
                if config["rope_scaling"] != nil { set("rope_scaling", .null) }
            } else {
                set("rope_scaling", .object(carried))
            }
        case .ropeParameters:
            let carried = Self.carriedMembers(of: config["rope_parameters"])
            let method = scaling ?? [("rope_type", .string("default"))]
            set("rope_parameters", .object(method + carried))
            // A non-null rope_scaling would take priority over rope_parameters when transformers 5 loads.
            if let old = config["rope_scaling"], old != .null { set("rope_scaling", .null) }
        }
    }

    mutating func removeScaling() { setScaling(nil) }

    private static func carriedMembers(of dict: JSONValue?) -> [(String, JSONValue)] {
        guard case .object(let members)? = dict else { return [] }
        return members.filter { !scalingKeys.contains($0.0) }
    }

    private mutating func set(_ key: String, _ value: JSONValue) {
        config.setMember(key, value, insertingAfter: "rope_theta")
    }
}

extension JSONValue {
    /// Sets an object member: replaces the first member with that key in place, otherwise inserts
    /// it after `anchor` (when present) or at the end. No effect on non-objects.
    mutating func setMember(_ key: String, _ value: JSONValue, insertingAfter anchor: String? = nil) {
        guard case .object(var members) = self else { return }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else if let anchor, let index = members.firstIndex(where: { $0.0 == anchor }) {
            members.insert((key, value), at: index + 1)
        } else {
            members.append((key, value))
        }
        self = .object(members)
    }
}
