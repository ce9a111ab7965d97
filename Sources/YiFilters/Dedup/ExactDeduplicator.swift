import YiCore

public struct ExactDedupOptions: Sendable, Equatable {
    public var normalization: TextNormalization
    /// Upper bound for the hash table (nil: unlimited; 24 bytes per slot, ≤ 3/4 full).
    public var memoryLimitBytes: Int?

    public init(normalization: TextNormalization = .whitespaceAndCase, memoryLimitBytes: Int? = nil) {
        self.normalization = normalization
        self.memoryLimitBytes = memoryLimitBytes
    }
}

/// Drops documents whose normalized text has the same 128-bit content hash (two xxHash64 lanes)
/// as an earlier document; the first one is kept.
///
/// Memory: one 24-byte slot per unique document (32–64 bytes per document with the table's
/// free slots: it is kept between 3/8 and 3/4 full) plus one bit per document for cluster
/// counting. With `memoryLimitBytes` the table stops growing at the limit and, once nearly
/// full, stops storing new hashes (reported as
/// `unindexedDocuments`); documents are still checked against everything stored before.
///
/// Stateful: call from one thread, in input order (the pipeline's ordered stage).
public final class ExactDeduplicator: DocumentFilter {
    public let name = "exact-dedup"
    public let options: ExactDedupOptions
    private var table: FirstSeenTable<ContentHash128>
    private var clusterHeads = OrdinalBitSet()
    private var buffer: [UInt8] = []
    private var nextOrdinal: UInt64 = 0
    private var counts = DedupReport(method: "exact")

    public static let reason = "dedup.exact"

    public init(options: ExactDedupOptions = ExactDedupOptions()) {
        self.options = options
        table = FirstSeenTable(emptyKey: ContentHash128(high: 0, low: 0), memoryLimit: options.memoryLimitBytes)
    }

    /// The normalized content hash of `text`.
    public func contentHash(_ text: String) -> ContentHash128 {
        var bytes: [UInt8] = []
        DedupText.normalize(text, options.normalization, into: &bytes)
        return bytes.withUnsafeBytes { ContentHash128($0) }
    }

    public func decide(_ text: String) -> DedupDecision {
        let ordinal = nextOrdinal
        nextOrdinal += 1
        counts.documents += 1
        DedupText.normalize(text, options.normalization, into: &buffer)
        let hash = buffer.withUnsafeBytes { ContentHash128($0) }
        if let first = table.lookup(hash) {
            counts.duplicates += 1
            if clusterHeads.insert(first) { counts.clusters += 1 }
            return .duplicate(ordinal: ordinal, of: first)
        }
        if !table.insert(hash, ordinal: ordinal) {
            counts.unindexedDocuments += 1
            if counts.firstUnindexedOrdinal == nil { counts.firstUnindexedOrdinal = ordinal }
        }
        return .unique(ordinal: ordinal)
    }

    public func verdict(for document: Document) -> FilterVerdict {
        decide(document.text).isDuplicate ? .drop(reason: Self.reason) : .keep
    }

    public var report: DedupReport {
        var report = counts
        report.tableEntries = table.count
        report.tableBytes = table.bytes + clusterHeads.bytes
        report.memoryLimitBytes = options.memoryLimitBytes
        // The configuration keys of `exact-dedup`, plus what the run cannot change.
        report.options = .object([
            ("normalize", .string(options.normalization.rawValue)),
            ("memory-limit", json(options.memoryLimitBytes)),
            ("hash", .string("xxh64x2-128")),
        ])
        return report
    }
}
