import YiCore

/// What `yi-prep stats` reports for a pack output folder, a bucket folder or a shard.
/// Rendered by `StatsRendering` (terminal table, `--json`, HTML); the JSON keys are documented in
/// docs/formats.md.
public struct DatasetStats: Sendable {
    public var path: String
    public var kind: DatasetLayout.Kind
    public var hasManifest: Bool
    public var buckets: [BucketStats]
    /// All buckets together (`name` = "total", no sequence length).
    public var total: BucketStats
    /// Document tokens per source over all buckets (from the sidecar's source index and the
    /// manifest's source table), largest first.
    public var sources: [SourceShare]
    /// `rejected.<reason>` counters of the manifest (records that could not be read).
    public var rejects: [NamedCount]
    /// `dropped.<reason>` counters of the manifest (documents removed by filters/dedup/packing).
    public var drops: [NamedCount]
    /// Sum of the manifest's input file sizes (as stored: compressed files count compressed).
    public var inputBytes: Int64?
    /// Document tokens (padding excluded) per input byte; depends on the compression.
    public var tokensPerInputByte: Double?
    /// UTF-8 bytes of the packed documents' text (decompressed, as tokenized), from the manifest.
    public var textBytes: Int64? = nil
    /// Document tokens per text byte: what the tokenizer achieves, whatever the compression.
    public var tokensPerTextByte: Double? = nil
    /// How `eosTokens` was obtained: `sidecar` (document ends, each verified to end with EOS),
    /// `tokens` (every token read and compared with the EOS id), or nil (unknown).
    public var eosCountedFrom: String?
    public var notes: [String]
    /// Documents `pack --drop-list` skipped as corpus-wide duplicates, per source
    /// (`duplicates.source.<name>` counters); empty without a drop list.
    public var duplicatesBySource: [NamedCount] = []
    /// Input files the run found damaged (manifest `extra.damaged_files`): their documents up to
    /// the damage were kept, the rest is missing from the dataset.
    public var damagedFiles: [DamagedFile] = []
}

/// One damaged input file as the manifest records it.
public struct DamagedFile: Sendable, Equatable {
    public var path: String
    public var byteOffset: Int?
    public var message: String
}

public struct BucketStats: Sendable, Equatable {
    public var name: String
    public var sequenceLength: Int?
    public var dtype: String?
    public var shards: Int
    public var sequences: Int
    /// All tokens, padding included.
    public var tokens: Int
    public var documentTokens: Int
    public var padTokens: Int
    /// Spans (whole documents and parts of split ones); 0 without sidecars.
    public var spans: Int
    /// Documents ending here (sidecar), or Megatron documents (foreign shards).
    public var documents: Int
    /// Documents cut into several spans whose first part is here.
    public var splitDocuments: Int
    public var eosTokens: Int?
    /// Sequences by number of spans they hold (empty without sidecars).
    public var documentsPerSequence: [ValueCount]
    public var documentLengths: LengthDistribution
    /// Document tokens per source index.
    public var sourceTokens: [Int: Int]
    public var hasBoundaries: Bool
    /// Trained tokens (loss-mask bit 1) when the shards have `.mask` sidecars, else nil.
    public var trainedTokens: Int? = nil
    /// Trained tokens per source index (with masks).
    public var sourceTrainedTokens: [Int: Int] = [:]

    /// Trained tokens / document tokens, when masks exist.
    public var trainedShare: Double? {
        trainedTokens.map { documentTokens == 0 ? 0 : Double($0) / Double(documentTokens) }
    }
    /// Long-token shares and whole-document lengths of the bucket, and per source index.
    public var long = LongTokenTally()
    public var sourceLong: [Int: LongTokenTally] = [:]

    /// Non-pad tokens / all tokens (1 when there are none).
    public var fillRatio: Double { tokens == 0 ? 1 : Double(documentTokens) / Double(tokens) }

    static func empty(name: String, sequenceLength: Int?, dtype: String?,
                      thresholds: [Int] = LongTokenTally.defaultThresholds) -> BucketStats {
        BucketStats(name: name, sequenceLength: sequenceLength, dtype: dtype, shards: 0, sequences: 0, tokens: 0, documentTokens: 0,
                    padTokens: 0, spans: 0, documents: 0, splitDocuments: 0, eosTokens: nil, documentsPerSequence: [],
                    documentLengths: LengthDistribution(counts: [:]), sourceTokens: [:], hasBoundaries: false,
                    long: LongTokenTally(thresholds: thresholds))
    }

    /// Adds document tokens to the long-token tallies of the bucket and of the source.
    mutating func addLong(tokens: Int, documentLength: Int, source: Int, wholeDocument: Bool) {
        long.add(tokens: tokens, documentLength: documentLength)
        // Mutated in place: a copy taken out of the dictionary would share, and then copy, the
        // tally's length histogram on every document.
        func update(_ tally: inout LongTokenTally) {
            tally.add(tokens: tokens, documentLength: documentLength)
            if wholeDocument { tally.addDocument(length: documentLength) }
        }
        update(&sourceLong[source, default: LongTokenTally(thresholds: long.thresholds)])
    }
}

public struct NamedCount: Sendable, Equatable {
    public var name: String
    public var count: Int
}

public struct ValueCount: Sendable, Equatable {
    public var value: Int
    public var count: Int
}

public struct SourceShare: Sendable, Equatable {
    public var index: Int
    public var name: String
    public var tokens: Int
    /// Share of all document tokens (0...1).
    public var share: Double
    /// Trained tokens of the source (loss masks), nil without masks.
    public var trainedTokens: Int? = nil
    /// Long-token shares and document lengths of this source over all buckets.
    public var long = LongTokenTally()
}

/// A distribution of document lengths kept as exact counts per length (bounded by the number of
/// distinct lengths, not documents), so percentiles are exact.
public struct LengthDistribution: Sendable, Equatable {
    public private(set) var countsByLength: [Int: Int]

    public init(counts: [Int: Int]) { countsByLength = counts.filter { $0.value > 0 } }

    public var count: Int { countsByLength.values.reduce(0, +) }
    public var minimum: Int? { countsByLength.keys.min() }
    public var maximum: Int? { countsByLength.keys.max() }
    public var mean: Double? {
        let n = count
        return n == 0 ? nil : Double(countsByLength.reduce(0) { $0 + $1.key * $1.value }) / Double(n)
    }

    /// Nearest-rank percentile: the smallest length L with at least ⌈p/100 · n⌉ documents ≤ L.
    public func percentile(_ p: Double) -> Int? {
        let n = count
        guard n > 0 else { return nil }
        let rank = max(1, Int((p / 100 * Double(n)).rounded(.up)))
        var seen = 0
        for length in countsByLength.keys.sorted() {
            seen += countsByLength[length]!
            if seen >= rank { return length }
        }
        return maximum
    }

    /// Power-of-two bins [1, 1], [2, 3], [4, 7], ... up to the longest document; empty bins
    /// between occupied ones are kept so charts have a regular axis.
    public var histogram: [HistogramBin] {
        guard let maximum else { return [] }
        var bins: [HistogramBin] = []
        var lower = 1
        while lower <= maximum {
            let upper = lower * 2 - 1
            let n = countsByLength.reduce(0) { $1.key >= lower && $1.key <= upper ? $0 + $1.value : $0 }
            bins.append(HistogramBin(lower: lower, upper: upper, count: n))
            lower *= 2
        }
        if let first = bins.firstIndex(where: { $0.count > 0 }) { bins.removeFirst(first) }
        return bins
    }

    mutating func add(_ length: Int, count: Int = 1) {
        countsByLength[length, default: 0] += count
    }

    mutating func merge(_ other: LengthDistribution) {
        for (length, n) in other.countsByLength { add(length, count: n) }
    }
}

/// Inclusive length range and how many documents fall in it.
public struct HistogramBin: Sendable, Equatable {
    public var lower: Int
    public var upper: Int
    public var count: Int
}
