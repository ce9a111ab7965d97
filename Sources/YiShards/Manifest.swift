import YiCore

/// `OUT/manifest.json`: what a pack run made and from what. Written last and atomically; a
/// folder without one is an unfinished run. Layout documented in docs/formats.md.
///
/// It holds no timestamps or host names, so identical runs give byte-identical manifests.
public struct Manifest: Sendable, Equatable {
    public static let fileName = "manifest.json"
    public static let formatName = "yi-prep-manifest"
    public static let formatVersion = 1
    /// The version of manifests whose buckets carry loss masks (`.mask` sidecars): a reader that
    /// knows only version 1 refuses them instead of training on every token.
    public static let maskFormatVersion = 2

    /// 2 when some bucket has loss masks, else 1.
    public var writtenFormatVersion: Int {
        buckets.contains(where: \.lossMask) ? Manifest.maskFormatVersion : Manifest.formatVersion
    }

    public var tool: ToolInfo
    /// The command (or pipeline file) that made the run, as the user gave it.
    public var createdBy: String
    /// The run's options, as the CLI/pipeline records them.
    public var options: JSONValue
    public var seed: UInt64?
    public var tokenizer: TokenizerInfo?
    /// The id used for padding (`--pad-id`), when the packer pads.
    public var padID: Int?
    public var inputs: [InputFile]
    /// The source table: a span's `sourceIndex` names `sources[sourceIndex]`.
    public var sources: [String]
    public var buckets: [BucketManifest]
    public var counters: Counters
    /// Further members the pipeline wants recorded (kept in order, written under "extra").
    public var extra: [(String, JSONValue)]

    public init(tool: ToolInfo, createdBy: String, options: JSONValue = .object([]), seed: UInt64? = nil,
                tokenizer: TokenizerInfo? = nil, padID: Int? = nil, inputs: [InputFile] = [], sources: [String] = [],
                buckets: [BucketManifest] = [], counters: Counters = Counters(), extra: [(String, JSONValue)] = []) {
        self.tool = tool
        self.createdBy = createdBy
        self.options = options
        self.seed = seed
        self.tokenizer = tokenizer
        self.padID = padID
        self.inputs = inputs
        self.sources = sources
        self.buckets = buckets
        self.counters = counters
        self.extra = extra
    }

    public static func == (lhs: Manifest, rhs: Manifest) -> Bool {
        lhs.json == rhs.json
    }

    public func bucket(sequenceLength: Int) -> BucketManifest? {
        buckets.first { $0.sequenceLength == sequenceLength }
    }

    public func bucket(directory: String) -> BucketManifest? {
        buckets.first { $0.directory == directory }
    }

    /// Writes `DIR/manifest.json` atomically as pretty JSON with a final newline.
    public func write(toDirectory directory: String) throws {
        try write(toPath: joinPath(directory, Manifest.fileName))
    }

    /// Writes the manifest atomically to any path (part completion markers use this).
    public func write(toPath path: String) throws {
        try AtomicFileWriter.write(JSONWriter.string(json, pretty: true) + "\n", to: path)
    }

    /// Reads and checks a manifest file.
    public static func read(path: String) throws -> Manifest {
        let file = try ReadOnlyFile(path: path)
        let bytes = try file.bytes(at: 0, count: Int(file.size), what: "the manifest")
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes: bytes)
        } catch let error as YiError {
            throw error.adding(.init(path: path))
        }
        return try Manifest(json: json, path: path)
    }
}

public struct ToolInfo: Sendable, Equatable {
    public var name: String
    public var version: String
    public init(name: String = "yi-prep", version: String) {
        self.name = name
        self.version = version
    }
}

public struct TokenizerInfo: Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var vocabularySize: Int
    public var bosID: Int?
    public var eosID: Int?
    /// The model's normalizer/trainer flags that matter for reproducing the ids.
    public var flags: JSONValue

    public init(path: String, sha256: String, vocabularySize: Int, bosID: Int? = nil, eosID: Int? = nil,
                flags: JSONValue = .object([])) {
        self.path = path
        self.sha256 = sha256
        self.vocabularySize = vocabularySize
        self.bosID = bosID
        self.eosID = eosID
        self.flags = flags
    }
}

/// An input file, or a slice of one (`start`..<`end` in file bytes, `bytes` = the slice's size)
/// when a large file was cut into parts; a sliced file is listed once per slice, in order.
public struct InputFile: Sendable, Equatable {
    public var path: String
    public var bytes: Int64
    public var start: Int64?
    public var end: Int64?
    public init(path: String, bytes: Int64, start: Int64? = nil, end: Int64? = nil) {
        self.path = path
        self.bytes = bytes
        self.start = start
        self.end = end
    }
}

/// One length bucket: its folder (relative to the manifest) and its shards in order.
public struct BucketManifest: Sendable, Equatable {
    public var sequenceLength: Int
    /// Folder relative to the output folder, `len-<N>` by convention.
    public var directory: String
    public var dtype: MegatronDType
    public var shards: [ShardInfo]
    /// Every shard has a loss-mask sidecar (`loss_mask: true`; a run with a chat source).
    public var lossMask = false

    public init(sequenceLength: Int, directory: String? = nil, dtype: MegatronDType, shards: [ShardInfo] = []) {
        self.sequenceLength = sequenceLength
        self.directory = directory ?? BucketManifest.directoryName(sequenceLength: sequenceLength)
        self.dtype = dtype
        self.shards = shards
    }

    public static func directoryName(sequenceLength: Int) -> String { "len-\(sequenceLength)" }

    public var sequences: Int { shards.reduce(0) { $0 + $1.sequences } }
    public var tokens: Int { shards.reduce(0) { $0 + $1.tokens } }
    public var padTokens: Int { shards.reduce(0) { $0 + $1.padTokens } }
    /// The share of the bucket's tokens that are document tokens (0 for an empty bucket).
    public var fill: Double { tokens == 0 ? 0 : Double(tokens - padTokens) / Double(tokens) }
    public var spans: Int { shards.reduce(0) { $0 + $1.spans } }
    public var documentEnds: Int { shards.reduce(0) { $0 + $1.documentEnds } }
    public var splitDocuments: Int { shards.reduce(0) { $0 + $1.splitDocuments } }
}
