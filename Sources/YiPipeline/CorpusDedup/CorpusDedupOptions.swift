import YiCore
import YiFilters

/// The passes of `yi-prep dedup`, in order (see `CorpusDedupJob`).
public enum CorpusDedupPass: String, Sendable, CaseIterable {
    /// Per work part: each document's exact hash and LSH band keys, sharded by key.
    case signatures
    /// Per key shard: sort the keys of all parts, and link every document to the first document
    /// of each key it shares.
    case buckets
    /// Distributed steps: connected components of the links, the first document of each kept,
    /// the drop list.
    case clusters
}

/// Everything `yi-prep dedup` needs.
public struct CorpusDedupOptions: Sendable {
    public var inputs: [InputGroup]
    public var outputDirectory: String
    /// Exact duplicates of the normalized text (nil: off).
    public var exact: ExactDedupOptions?
    /// Near duplicates by MinHash LSH (nil: off).
    public var near: MinHashOptions?
    /// Input bytes per work part of the signatures pass (independent of ranks, like `pack`).
    public var partBytes: Int64 = 1 << 30
    /// Key shards of the buckets pass and vertex shards of the clusters pass: their units of work
    /// and of distribution. Fixed per run (part of the fingerprint), never derived from the
    /// number of ranks.
    public var keyShards = 64
    /// Each key shard is a file per rank and a unit of work; beyond this many the files outnumber
    /// any useful split.
    public static let maxKeyShards = 1 << 16
    /// Memory per rank for sorting keys, edges and drop-list joins (half of it; sorted runs spill
    /// beyond it) and for writer buffers (a quarter).
    public var memoryBytes = 1 << 30
    public var threads = 2
    public var rank = RankAssignment.single
    /// Run only this pass (as a separate job step); nil runs every pass this rank takes part in,
    /// waiting for the other ranks between passes.
    public var onlyPass: CorpusDedupPass?
    /// Seconds between checks of the other ranks' completion markers.
    public var pollSeconds: Double = 2
    /// Clear an existing dedup folder of another run.
    public var force = false

    public init(inputs: [InputGroup], outputDirectory: String) {
        self.inputs = inputs
        self.outputDirectory = outputDirectory
    }

    /// The options that decide the drop list (threads, memory, ranks and polling do not).
    var resultDefiningJSON: JSONValue {
        .object([
            ("exact", exact.map { .object([("normalize", .string($0.normalization.rawValue))]) } ?? .null),
            ("near", near.map { near in
                .object([
                    ("unit", .string(near.unit.rawValue)),
                    ("ngram", .int(Int64(near.ngram))),
                    ("bands", .int(Int64(near.bands))),
                    ("rows", .int(Int64(near.rowsPerBand))),
                    ("seed", .int(Int64(bitPattern: near.seed))),
                    ("estimated_threshold", .double(near.estimatedThreshold)),
                ])
            } ?? .null),
            ("part_bytes", .int(partBytes)),
            ("key_shards", .int(Int64(keyShards))),
            ("inputs", .array(inputs.map(\.configuration))),
        ])
    }
}
