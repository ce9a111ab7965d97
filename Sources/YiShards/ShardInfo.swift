import YiCore

/// What one finished shard holds; the manifest lists one per shard.
public struct ShardInfo: Sendable, Equatable {
    /// File name without extension, e.g. `shard-00000` (the Megatron path prefix is DIR/name).
    public var name: String
    public var sequences: Int
    /// All tokens, padding included (= sequences × bucket length).
    public var tokens: Int
    public var padTokens: Int
    /// Spans (whole documents and parts of split ones).
    public var spans: Int
    /// Spans that end their document (with its EOS).
    public var documentEnds: Int
    /// Documents whose first part is here but that continue in a later span.
    public var splitDocuments: Int
    public var bin: FileDigest
    public var idx: FileDigest
    public var docs: FileDigest
    /// The loss-mask sidecar, in runs with a chat source (nil otherwise).
    public var mask: FileDigest?
    /// Where the sidecar's source indices point in the manifest's `sources` list: entry i is the
    /// global index of the shard's source i. Nil means the indices are global already. Parts of a
    /// run are packed independently (possibly on different machines), each numbering the sources
    /// it meets; the manifest that joins them records this map instead of rewriting sidecars.
    public var sourceIndexMap: [Int]?

    public init(name: String, sequences: Int, tokens: Int, padTokens: Int, spans: Int, documentEnds: Int,
                splitDocuments: Int, bin: FileDigest, idx: FileDigest, docs: FileDigest) {
        self.name = name
        self.sequences = sequences
        self.tokens = tokens
        self.padTokens = padTokens
        self.spans = spans
        self.documentEnds = documentEnds
        self.splitDocuments = splitDocuments
        self.bin = bin
        self.idx = idx
        self.docs = docs
        self.sourceIndexMap = nil
        self.mask = nil
    }

    /// The manifest `sources` index of a sidecar source index.
    public func globalSourceIndex(_ local: Int) -> Int {
        guard let map = sourceIndexMap, local < map.count else { return local }
        return map[local]
    }

    public var documentTokens: Int { tokens - padTokens }

    /// The files with their extensions, in the order they are committed (.idx last).
    public var files: [(extension: String, digest: FileDigest)] {
        [(ShardFiles.binExtension, bin), (ShardFiles.docsExtension, docs)]
            + (mask.map { [(ShardFiles.maskExtension, $0)] } ?? [])
            + [(ShardFiles.idxExtension, idx)]
    }
}

/// File naming of a shard: `<prefix>.bin`, `<prefix>.idx`, `<prefix>.docs`.
public enum ShardFiles {
    public static let binExtension = "bin"
    public static let idxExtension = "idx"
    public static let docsExtension = "docs"
    public static let maskExtension = "mask"

    /// `shard-00042` for index 42 (five digits, more when needed).
    public static func name(index: Int, prefix: String = "shard") -> String {
        let digits = String(index)
        return prefix + "-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    public static func path(directory: String, name: String, extension ext: String) -> String {
        joinPath(directory, name + "." + ext)
    }
}

/// `a/b` + `c` → `a/b/c` without doubling slashes (no Foundation in the writer).
func joinPath(_ directory: String, _ name: String) -> String {
    if directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
