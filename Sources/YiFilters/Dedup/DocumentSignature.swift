import YiCore

/// The keys corpus-wide deduplication compares, for one document at a time: the 128-bit hash of
/// the normalized text (exact duplicates) and one 64-bit key per LSH band of the MinHash
/// signature (near duplicates). The same text normalization and MinHash as the per-part filters
/// (`ExactDeduplicator`, `NearDeduplicator`), so the two scopes agree on what a duplicate is.
///
/// Not thread-safe (scratch buffers): one per worker thread.
public struct DocumentSigner {
    public let exact: ExactDedupOptions?
    public let near: MinHashOptions?
    private var hasher: MinHasher?
    private var buffer: [UInt8] = []

    public init(exact: ExactDedupOptions?, near: MinHashOptions?) {
        self.exact = exact
        self.near = near
        hasher = near.map { MinHasher(options: $0) }
    }

    /// The normalized content hash of `text`.
    public mutating func exactHash(_ text: String) -> ContentHash128 {
        DedupText.normalize(text, exact?.normalization ?? .whitespaceAndCase, into: &buffer)
        return buffer.withUnsafeBytes { ContentHash128($0) }
    }

    /// Fills `keys` with one key per band; false (keys untouched) when the text has no unit to
    /// compare (no letters or digits): such a document is never a near duplicate.
    public mutating func bandKeys(_ text: String, into keys: inout [UInt64]) -> Bool {
        guard hasher != nil, hasher!.compute(text) else { return false }
        keys.removeAll(keepingCapacity: true)
        for band in 0..<hasher!.options.bands { keys.append(hasher!.bandKey(band)) }
        return true
    }
}
