import YiCore

/// A document, or the last chunk of a split one, waiting to be placed into a sequence.
struct PackItem {
    /// The caller's array for whole documents (no copy until the sequence is built).
    var tokens: [TokenID]
    var ordinal: Int
    var part: Int
    var isDocumentEnd: Bool
    var sourceIndex: Int
    /// Index of the bucket the item is routed to (the smallest it fits, or the largest for chunks).
    var home: Int

    var count: Int { tokens.count }

    /// Placement order of a round: the longest bucket's own items first, so that they share
    /// sequences among themselves exactly as without cross-fill and a bucket opens only the
    /// sequences its own documents need; shorter buckets' items then fill what is left. Within a
    /// bucket best-fit decreasing: longest first, then input order.
    static func placementOrder(_ a: PackItem, _ b: PackItem) -> Bool {
        if a.home != b.home { return a.home > b.home }
        if a.count != b.count { return a.count > b.count }
        if a.ordinal != b.ordinal { return a.ordinal < b.ordinal }
        return a.part < b.part
    }
}

/// A sequence being filled by best-fit. Its tokens are only copied when it is closed, once,
/// straight from the documents' arrays into the sequence's buffer.
final class OpenSequence {
    let bucket: Int
    let length: Int
    /// Order in which sequences were opened, over all buckets; ties in best-fit go to the oldest.
    let serial: Int
    private(set) var remaining: Int
    private(set) var items: [PackItem] = []

    init(bucket: Int, length: Int, serial: Int) {
        self.bucket = bucket
        self.length = length
        self.serial = serial
        self.remaining = length
    }

    var usedTokens: Int { length - remaining }

    func append(_ item: PackItem) {
        precondition(item.count <= remaining, "packing: item does not fit its sequence")
        items.append(item)
        remaining -= item.count
    }

    var documentEnds: Int { items.reduce(0) { $0 + ($1.isDocumentEnd ? 1 : 0) } }

    /// The finished sequence: spans in input order (ordinal, part) from offset 0, then padding.
    func build(padID: TokenID) -> PackedSequence {
        let order = items.indices.sorted { i, j in
            let a = items[i], b = items[j]
            if a.ordinal != b.ordinal { return a.ordinal < b.ordinal }
            if a.part != b.part { return a.part < b.part }
            return i < j
        }
        var spans: [DocumentSpan] = []
        spans.reserveCapacity(order.count)
        let tokens = [TokenID](unsafeUninitializedCapacity: length) { buffer, initialized in
            let base = buffer.baseAddress!
            var offset = 0
            for index in order {
                let item = items[index]
                item.tokens.withUnsafeBufferPointer { source in
                    if let from = source.baseAddress { (base + offset).initialize(from: from, count: source.count) }
                }
                spans.append(DocumentSpan(offset: offset, length: item.count, documentOrdinal: item.ordinal,
                                          part: item.part, isDocumentEnd: item.isDocumentEnd,
                                          sourceIndex: item.sourceIndex))
                offset += item.count
            }
            (base + offset).initialize(repeating: padID, count: length - offset)
            initialized = length
        }
        return PackedSequence(tokens: tokens, spans: spans)
    }
}
