import YiCore

/// What a deduplicator saw and removed, for the run's counters and manifest.
public struct DedupReport: Sendable, Equatable {
    /// `exact` or `near`.
    public var method: String
    public var documents = 0
    /// Documents dropped as duplicates of an earlier document.
    public var duplicates = 0
    /// Kept documents that had at least one duplicate removed (clusters of size ≥ 2).
    public var clusters = 0
    /// Documents with no unit to compare (near dedup of text without letters or digits); kept.
    public var emptyDocuments = 0
    /// Unique documents whose keys could not be stored because the memory limit was reached;
    /// later copies of them are not recognised.
    public var unindexedDocuments = 0
    /// Ordinal of the first unindexed document, if any.
    public var firstUnindexedOrdinal: UInt64?
    public var tableEntries = 0
    public var tableBytes = 0
    public var memoryLimitBytes: Int?
    /// The effective options (for the manifest).
    public var options: JSONValue = .null

    public init(method: String) { self.method = method }

    public var saturated: Bool { unindexedDocuments > 0 }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("method", .string(method)),
            ("documents", .int(Int64(documents))),
            ("duplicates", .int(Int64(duplicates))),
            ("clusters", .int(Int64(clusters))),
            ("empty_documents", .int(Int64(emptyDocuments))),
            ("unindexed_documents", .int(Int64(unindexedDocuments))),
            ("table_entries", .int(Int64(tableEntries))),
            ("table_bytes", .int(Int64(tableBytes))),
            ("memory_limit_bytes", memoryLimitBytes.map { .int(Int64($0)) } ?? .null),
        ]
        if let first = firstUnindexedOrdinal { members.append(("first_unindexed_ordinal", .int(Int64(first)))) }
        members.append(("options", options))
        return .object(members)
    }

    /// `dedup.<method>.documents`, `.duplicates`, `.clusters`, ... counters.
    public var counters: Counters {
        var c = Counters()
        c.add("dedup.\(method).documents", documents)
        c.add("dedup.\(method).duplicates", duplicates)
        c.add("dedup.\(method).clusters", clusters)
        if emptyDocuments > 0 { c.add("dedup.\(method).empty-documents", emptyDocuments) }
        if unindexedDocuments > 0 { c.add("dedup.\(method).unindexed-documents", unindexedDocuments) }
        return c
    }
}

/// A deduplicator's decision on one document. Ordinals count the documents the deduplicator
/// was given, from 0, in call order.
public enum DedupDecision: Sendable, Equatable {
    case unique(ordinal: UInt64)
    case duplicate(ordinal: UInt64, of: UInt64)

    public var isDuplicate: Bool {
        if case .duplicate = self { return true }
        return false
    }
}
