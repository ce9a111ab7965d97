import YiCore
import YiReaders

/// The run's inputs in their fixed order (pipeline groups in order, each group's files sorted by
/// discovery) and their division into work parts.
struct InputPlan {
    var inputs: [(DiscoveredInput, ReaderOptions)]
    var unsupported: [SkippedInput]
    var parts: [WorkPart]

    static func make(groups: [InputGroup], partBytes: Int64, excluding: [String] = []) throws -> InputPlan {
        var inputs: [(DiscoveredInput, ReaderOptions)] = []
        var unsupported: [SkippedInput] = []
        var seen: [String: Int] = [:]
        for (n, group) in groups.enumerated() {
            let discovery = try discoverInputs(group.paths, excluding: excluding)
            unsupported += discovery.unsupported
            for input in discovery.inputs {
                if let first = seen[input.path] {
                    throw YiError(.usage, "input \(input.path) is named by input groups \(first + 1) and \(n + 1); a file may appear once")
                }
                seen[input.path] = n
                inputs.append((input, group.reader))
            }
        }
        return InputPlan(inputs: inputs, unsupported: unsupported,
                         parts: WorkPart.plan(sizes: inputs.map(\.0.size), targetBytes: partBytes))
    }
}

/// A digest of everything that decides a run's output bytes: options, tokenizer, input files
/// and sizes. Part markers carry it, so a resumed run or another rank never mixes its parts
/// with those of a different run.
enum RunFingerprint {
    static func make(options: PackOptions, tokenizerSHA256: String, inputs: [DiscoveredInput]) -> String {
        let value: JSONValue = .object([
            ("options", options.outputDefiningJSON),
            ("tokenizer_sha256", .string(tokenizerSHA256)),
            ("inputs", .array(inputs.map { .array([.string($0.path), .int($0.size)]) })),
        ])
        return SHA256.hex(of: Array(JSONWriter.string(value).utf8))
    }
}
