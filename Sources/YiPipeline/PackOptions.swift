import YiCore
import YiFilters
import YiPacking
import YiReaders

/// One group of inputs with its own reading options (a pipeline file's `inputs:` entry, or all
/// positional arguments of `yi-prep pack`).
public struct InputGroup: Sendable {
    /// Files, directories or globs.
    public var paths: [String]
    public var reader: ReaderOptions

    public init(paths: [String], reader: ReaderOptions = ReaderOptions()) {
        self.paths = paths
        self.reader = reader
    }
}

/// Everything `yi-prep pack` (and each stage of `yi-prep run`) needs.
public struct PackOptions: Sendable {
    public var inputs: [InputGroup]
    public var outputDirectory: String
    public var tokenizerPath: String
    public var packing: PackingOptions
    /// Prepend the model's BOS to every document (EOS is always appended).
    public var addBOS = false
    public var threads = 2
    /// Upper bound on tokens per shard file.
    public var shardTokens = 1 << 30
    /// Input bytes per work part (the unit of resumption and distribution; see `WorkPart`).
    public var partBytes: Int64 = 1 << 30
    public var resume = false
    /// Replace an existing finished or foreign output folder.
    public var force = false
    public var strict = false
    public var rejectsPath: String?
    /// Exit 0 even when some input files were damaged (their good documents are kept either way).
    public var allowDamagedInputs = false
    public var rank = RankAssignment.single
    public var seed: UInt64 = 0
    public var showProgress: Bool? = nil
    /// A `filters:` list as FilterRegistry reads it (text filters run on the workers, dedup in
    /// input order on the reader thread, token-length filters after tokenizing).
    public var filters: JSONValue = .array([])
    /// Source mixing and long-document upsampling; needs a counting pass over the inputs.
    public var mix: MixOptions?
    /// A finished `yi-prep dedup` folder: its dropped documents are skipped (corpus-wide dedup).
    public var dropList: String?

    public init(inputs: [InputGroup], outputDirectory: String, tokenizerPath: String, packing: PackingOptions) {
        self.inputs = inputs
        self.outputDirectory = outputDirectory
        self.tokenizerPath = tokenizerPath
        self.packing = packing
    }

    /// The options that decide the output bytes, as recorded in the manifest and hashed into the
    /// run fingerprint (threads, progress and resume flags do not change the output).
    public var outputDefiningJSON: JSONValue {
        let strategy: JSONValue
        switch packing.strategy {
        case .concat: strategy = .object([("name", .string("concat"))])
        case .bestFit(let window):
            switch window {
            case .documents(let n): strategy = .object([("name", .string("best-fit")), ("window_documents", .int(Int64(n)))])
            case .tokens(let n): strategy = .object([("name", .string("best-fit")), ("window_tokens", .int(Int64(n)))])
            }
        }
        return .object([
            ("lengths", .array(packing.lengths.map { .int(Int64($0)) })),
            ("strategy", strategy),
            ("cross_fill", .bool(packing.crossFill)),
            ("cross_fill_limit", .double(packing.crossFillLimit)),
            ("long_docs", .string(packing.longDocuments.rawValue)),
            ("pad_id", .int(Int64(packing.padID))),
            ("max_open_sequences", .int(Int64(packing.maxOpenSequences))),
            ("bos", .bool(addBOS)),
            ("eos", .bool(true)),
            ("shard_tokens", .int(Int64(shardTokens))),
            ("part_bytes", .int(partBytes)),
            ("seed", .int(Int64(bitPattern: seed))),
            ("filters", filters),
            ("mix", mix?.configuration ?? .null),
        ] + (dropList == nil ? [] : [
            // Only with a drop list, so that the fingerprints of runs without one do not change.
            ("drop_list", .string(DropList.fingerprint(atPath: dropList!) ?? dropList!)),
        ]) + [
            ("inputs", .array(inputs.map { group in
                .object([
                    ("paths", .array(group.paths.map { .string($0) })),
                    ("text_field", .string(group.reader.textField)),
                    ("id_field", .string(group.reader.idField)),
                    ("source_field", group.reader.sourceField.map { .string($0) } ?? .null),
                    ("source", group.reader.sourceName.map { .string($0) } ?? .null),
                    ("namespaces", .array(group.reader.namespaces.sorted().map { .int(Int64($0)) })),
                    ("wikitext", .string(group.reader.wikitext.rawValue)),
                ])
            })),
        ])
    }
}
