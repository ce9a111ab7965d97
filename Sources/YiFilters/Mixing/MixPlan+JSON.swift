import YiCore

extension MixBudget {
    /// `no-repetition`, `input-size` or `total:<n>` (as in configuration files).
    public var name: String {
        switch self {
        case .noRepetition: return "no-repetition"
        case .inputSize: return "input-size"
        case .total(let n): return "total:\(n)"
        }
    }
}

extension MixPlan {
    /// Everything needed to reproduce and audit the mix, for `manifest.json`.
    public var json: JSONValue {
        .object([
            ("unit", .string(options.unit.rawValue)),
            ("budget", .string(options.budget.name)),
            ("seed", .int(Int64(bitPattern: options.seed))),
            ("expected_total", .double(expectedTotal)),
            ("sources", .object(sources.map { ($0.name, $0.json) })),
            ("warnings", .array(warnings.map { warning in
                .object([("kind", .string(warning.kind)), ("source", warning.source.map { .string($0) } ?? .null),
                         ("message", .string(warning.message))])
            })),
        ])
    }
}

extension SourcePlan {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("documents", .int(Int64(totals.documents))),
            ("tokens", .int(Int64(totals.tokens))),
            ("long_documents", .int(Int64(totals.longDocuments))),
            ("long_tokens", .int(Int64(totals.longTokens))),
            ("weight", weight.map { .double($0) } ?? .null),
            ("target_share", .double(targetShare)),
        ]
        if let longThreshold {
            members.append(("long_threshold_tokens", .int(Int64(longThreshold))))
            members.append(("short_keep_probability", .double(shortKeepProbability)))
        }
        members += [
            ("long_rate", .double(longRate)),
            ("short_rate", .double(shortRate)),
            ("expected_units", .double(expectedUnits)),
            ("uncalibrated_share_sd", .double(expectedShareStandardDeviation)),
            ("calibrated", .bool(calibrated)),
            ("short_cutoff", .double(shortCutoff)),
            ("long_cutoff", .double(longCutoff)),
        ]
        return .object(members)
    }
}
