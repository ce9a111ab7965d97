import YiCore

extension MixOptions {
    /// Reads a `mix:` block:
    ///
    /// ```yaml
    /// mix:
    ///   unit: tokens                  # or documents
    ///   budget: no-repetition         # or input-size, or a number (total tokens/documents)
    ///   seed: 42
    ///   weights: {web: 5, books: 3, wiki: 2}     # relative; omit for the natural shares
    ///   upsample: {long-tokens: 8192, short-keep: 0.3}   # every source
    ///   sources:
    ///     books: {upsample: {long-tokens: 16384, short-keep: 0.5}}
    ///     code: {upsample: null}                # no upsampling for this one
    /// ```
    ///
    /// `weights` may also come from the pipeline's inputs (set `weights` afterwards).
    public init(configuration r: inout ConfigurationReader) throws {
        self.init()
        unit = ShareUnit(rawValue: try r.choice("unit", ShareUnit.allCases.map(\.rawValue), default: unit.rawValue))!
        if r.contains("budget") {
            if let number = try? r.int("budget", default: nil, in: 1...Int.max) {
                budget = .total(number)
            } else {
                let name = try r.choice("budget", ["no-repetition", "input-size"], default: "no-repetition")
                budget = name == "input-size" ? .inputSize : .noRepetition
            }
        }
        if let seed = try r.int("seed", default: nil) { self.seed = UInt64(seed) }
        if let members = try r.members("weights") {
            var nested = try ConfigurationReader(.object(members), path: r.childPath("weights"))
            var weights: [String: Double] = [:]
            for (source, _) in members { weights[source] = try nested.double(source, default: nil, in: 0...Double.greatestFiniteMagnitude) ?? 0 }
            try nested.finish()
            self.weights = weights
        }
        if r.contains("upsample") { defaultUpsampling = try Self.readUpsampling(&r) }
        if let members = try r.members("sources") {
            var sources = try ConfigurationReader(.object(members), path: r.childPath("sources"))
            for (source, _) in members {
                guard var entry = try sources.object(source) else { continue }
                if entry.contains("upsample") {
                    // An explicit null switches the default off for this source.
                    upsampling[source] = try Self.readUpsampling(&entry) ?? LengthUpsampling.none
                }
                try entry.finish()
            }
            try sources.finish()
        }
    }

    /// `upsample: {long-tokens, short-keep}`; null or `{}` means none.
    private static func readUpsampling(_ r: inout ConfigurationReader) throws -> LengthUpsampling? {
        guard var u = try r.object("upsample"), !u.isEmpty else { return nil }
        let threshold = try u.int("long-tokens", default: nil, in: 1...Int.max)
        let keep = try u.double("short-keep", default: nil, in: 0...1)
        try u.finish()
        guard let threshold else { throw ConfigurationError(path: u.childPath("long-tokens"), value: nil, problem: "required with upsample") }
        guard let keep else { throw ConfigurationError(path: u.childPath("short-keep"), value: nil, problem: "required with upsample") }
        return LengthUpsampling(longThreshold: threshold, shortKeepProbability: keep)
    }

    /// The options as configuration (for the manifest; the plan's JSON has the derived rates).
    public var configuration: JSONValue {
        func upsample(_ u: LengthUpsampling?) -> JSONValue {
            guard let u, u != .none else { return .null }
            return .object([("long-tokens", .int(Int64(u.longThreshold))), ("short-keep", .double(u.shortKeepProbability))])
        }
        let budgetValue: JSONValue
        switch budget {
        case .noRepetition: budgetValue = .string("no-repetition")
        case .inputSize: budgetValue = .string("input-size")
        case .total(let n): budgetValue = .int(Int64(n))
        }
        return .object([
            ("unit", .string(unit.rawValue)),
            ("budget", budgetValue),
            ("seed", .int(Int64(bitPattern: seed))),
            ("weights", weights.map { w in .object(w.keys.sorted().map { ($0, .double(w[$0]!)) }) } ?? .null),
            ("upsample", upsample(defaultUpsampling)),
            ("sources", .object(upsampling.keys.sorted().map { ($0, .object([("upsample", upsample(upsampling[$0]))])) })),
        ])
    }
}
