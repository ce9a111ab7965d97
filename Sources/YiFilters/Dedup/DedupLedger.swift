import YiCore

/// The bookkeeping every deduplicator shares: document ordinals, cluster heads and the report's
/// counts. The deduplicator owns its table and decides; the ledger turns the decision into a
/// `DedupDecision` and counters.
struct DedupLedger {
    var counts: DedupReport
    private var clusterHeads = OrdinalBitSet()
    private var nextOrdinal: UInt64 = 0

    init(method: String) { counts = DedupReport(method: method) }

    /// Counts one more document and returns its ordinal.
    mutating func nextDocument() -> UInt64 {
        defer { nextOrdinal += 1 }
        counts.documents += 1
        return nextOrdinal
    }

    /// Records the outcome for `ordinal`: a duplicate of the cluster whose first document is
    /// `head`, or (head nil) a unique document, `stored` false when its keys no longer fit in the
    /// table.
    mutating func record(_ ordinal: UInt64, duplicateOf head: UInt64?, stored: Bool) -> DedupDecision {
        if let head {
            counts.duplicates += 1
            if clusterHeads.insert(head) { counts.clusters += 1 }
            return .duplicate(ordinal: ordinal, of: head)
        }
        if !stored {
            counts.unindexedDocuments += 1
            if counts.firstUnindexedOrdinal == nil { counts.firstUnindexedOrdinal = ordinal }
        }
        return .unique(ordinal: ordinal)
    }

    /// The counts with the table's size, the memory limit and the effective `options`.
    func report<Key>(table: FirstSeenTable<Key>, memoryLimitBytes: Int?, options: JSONValue) -> DedupReport {
        var report = counts
        report.tableEntries = table.count
        report.tableBytes = table.bytes + clusterHeads.bytes
        report.memoryLimitBytes = memoryLimitBytes
        report.options = options
        return report
    }
}
