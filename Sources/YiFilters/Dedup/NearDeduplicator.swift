import YiCore

/// Drops near-duplicates with MinHash + LSH in one streaming pass: the first document of each
/// cluster is kept, every later document that shares a band with an earlier one is dropped.
///
/// Memory model: one table maps band keys (64-bit hash of a band's rows, seeded by the band
/// index) to the ordinal of the cluster's first document. Entries are 16 bytes; each unique
/// document adds `bands` entries, a duplicate adds its new band keys (so a chain A≈B≈C reaches
/// C through B even when C and A share no band, as connected components do). With the default
/// 32 bands that is 512 bytes of entries per unique document, 0.7–1.4 KB with the table's free
/// slots (it is kept between 3/8 and 3/4 full), plus one bit per
/// document for cluster counting. `memoryLimitBytes` caps the table: at the cap, once it is
/// 15/16 full, new keys are no longer stored (`unindexedDocuments`, `firstUnindexedOrdinal` in
/// the report); documents are still compared against everything stored — the run degrades to
/// "duplicates of the first part of the corpus", deterministically.
///
/// Candidates are not verified against stored signatures (that would cost `8 × permutations`
/// bytes per document); the S-curve of `MinHashOptions` is the precision/recall trade-off.
/// Stateful: call from one thread, in input order (the pipeline's ordered stage).
public final class NearDeduplicator: DocumentFilter {
    public let name = "near-dedup"
    public let options: MinHashOptions
    private var hasher: MinHasher
    private var table: FirstSeenTable<UInt64>
    private var bandKeys: [UInt64]
    private var ledger = DedupLedger(method: "near")

    public static let reason = "dedup.near"

    public init(options: MinHashOptions = MinHashOptions()) {
        precondition(options.ngram >= 1 && options.bands >= 1 && options.rowsPerBand >= 1, "invalid MinHash options")
        self.options = options
        hasher = MinHasher(options: options)
        table = FirstSeenTable(emptyKey: 0, memoryLimit: options.memoryLimitBytes)
        bandKeys = [UInt64](repeating: 0, count: options.bands)
    }

    public func decide(_ text: String) -> DedupDecision {
        let ordinal = ledger.nextDocument()
        guard hasher.compute(text) else {
            ledger.counts.emptyDocuments += 1
            return .unique(ordinal: ordinal)
        }
        var head: UInt64?
        for band in 0..<options.bands {
            bandKeys[band] = hasher.bandKey(band)
            if let first = table.lookup(bandKeys[band]) { head = min(head ?? first, first) }
        }
        var stored = true
        for key in bandKeys { stored = table.insert(key, ordinal: head ?? ordinal) && stored }
        return ledger.record(ordinal, duplicateOf: head, stored: stored)
    }

    public func verdict(for document: Document) -> FilterVerdict {
        decide(document.text).isDuplicate ? .drop(reason: Self.reason) : .keep
    }

    /// The MinHash signature of `text` (for tests and tools).
    public func signature(of text: String) -> [UInt64] {
        var hasher = MinHasher(options: options)
        _ = hasher.compute(text)
        return hasher.signature
    }

    public var report: DedupReport {
        // The configuration keys of `near-dedup`, plus the derived threshold.
        ledger.report(table: table, memoryLimitBytes: options.memoryLimitBytes, options: .object([
            ("unit", .string(options.unit.rawValue)),
            ("ngram", .int(Int64(options.ngram))),
            ("bands", .int(Int64(options.bands))),
            ("rows", .int(Int64(options.rowsPerBand))),
            ("seed", .int(Int64(bitPattern: options.seed))),
            ("memory-limit", json(options.memoryLimitBytes)),
            ("estimated-threshold", .double(options.estimatedThreshold)),
        ]))
    }
}
