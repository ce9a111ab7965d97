import YiChecksum
import YiCore
import YiReaders
import YiShards

/// The run's inputs in their fixed order (pipeline groups in order, each group's files sorted by
/// discovery) and their division into work parts. A file larger than `partBytes` is cut into
/// slices (`sliceInput`), listed in file order in place of the file.
struct InputPlan {
    /// Whole files and slices of files, in order.
    var inputs: [(DiscoveredInput, ReaderOptions)]
    var unsupported: [SkippedInput]
    var parts: [WorkPart]
    /// Why large files were not cut (or cut less), one line per file, for the log.
    var slicingNotes: [String] = []

    static func make(groups: [InputGroup], partBytes: Int64, excluding: [String] = []) throws -> InputPlan {
        var inputs: [(DiscoveredInput, ReaderOptions)] = []
        var unsupported: [SkippedInput] = []
        var seen: [String: Int] = [:]
        var notes: [String] = []
        for (n, group) in groups.enumerated() {
            let discovery = try discoverInputs(group.paths, excluding: excluding)
            unsupported += discovery.unsupported
            for input in discovery.inputs {
                if let first = seen[input.path] {
                    throw YiError(.usage, "input \(input.path) is named by input groups \(first + 1) and \(n + 1); a file may appear once")
                }
                seen[input.path] = n
                let sliced = sliceInput(input, targetBytes: partBytes)
                if let note = sliced.note { notes.append("\(input.path): \(note)") }
                inputs += sliced.slices.map { ($0, group.reader) }
            }
        }
        return InputPlan(inputs: inputs, unsupported: unsupported,
                         parts: WorkPart.plan(sizes: inputs.map(\.0.bytes), targetBytes: partBytes), slicingNotes: notes)
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
            ("inputs", .array(inputs.map { input in
                // Slices add their range; whole files keep the fingerprint they always had.
                .array([.string(input.path), .int(input.size)] + (input.range.map { [.int($0.start), .int($0.end)] } ?? []))
            })),
        ])
        return SHA256.hex(of: Array(JSONWriter.string(value).utf8))
    }
}

extension InputFile {
    /// The manifest's record of a whole file or a slice of one.
    init(_ input: DiscoveredInput) {
        self.init(path: input.path, bytes: input.bytes, start: input.range?.start, end: input.range?.end)
    }
}
