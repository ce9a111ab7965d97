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
    private var buffer: [UInt8] = []
    private var ledger = DedupLedger(method: "exact")

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
        let ordinal = ledger.nextDocument()
        DedupText.normalize(text, options.normalization, into: &buffer)
        let hash = buffer.withUnsafeBytes { ContentHash128($0) }
        let first = table.lookup(hash)
        // Only a new hash is stored; a duplicate's is there already.
        let stored = first != nil || table.insert(hash, ordinal: ordinal)
        return ledger.record(ordinal, duplicateOf: first, stored: stored)
    }

    public func verdict(for document: Document) -> FilterVerdict {
        decide(document.text).isDuplicate ? .drop(reason: Self.reason) : .keep
    }

    public var report: DedupReport {
        // The configuration keys of `exact-dedup`, plus what the run cannot change.
        ledger.report(table: table, memoryLimitBytes: options.memoryLimitBytes, options: .object([
            ("normalize", .string(options.normalization.rawValue)),
            ("memory-limit", json(options.memoryLimitBytes)),
            ("hash", .string("xxh64x2-128")),
        ]))
    }
}
