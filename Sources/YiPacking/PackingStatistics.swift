import YiCore

/// What the packer did in one bucket.
public struct BucketStatistics: Sendable, Equatable {
    public var length: Int
    /// Finished sequences, each `length` tokens.
    public var sequences = 0
    /// Tokens that belong to documents (EOS included).
    public var documentTokens = 0
    public var padTokens = 0
    /// Document spans in the bucket's sequences (a document cut or split into k pieces counts k).
    public var spans = 0
    /// Spans that end their document (each carries the document's EOS).
    public var documentEnds = 0
    /// `spansPerSequence[k]` = sequences holding exactly k spans (histogram-ready; index 0 unused).
    public var spansPerSequence: [Int] = []
    /// Documents (and chunk tails) whose smallest fitting bucket is this one.
    public var routedDocuments = 0
    public var routedTokens = 0
    /// Documents from shorter buckets placed into this bucket's sequences (best-fit cross-fill).
    public var crossFilledDocuments = 0
    public var crossFilledTokens = 0
    /// Documents longer than the largest bucket that were split into chunks (largest bucket only).
    public var splitDocuments = 0
    /// Spans those split documents became.
    public var chunks = 0
    /// `concat`: documents that fit the bucket but were cut at a sequence boundary.
    public var cutDocuments = 0
    /// Documents longer than the largest bucket dropped under `.drop` (largest bucket only).
    public var droppedLongDocuments = 0
    public var droppedLongTokens = 0
    /// `concat` with `.drop` remainder: tokens of the last partial sequence that were discarded.
    public var droppedRemainderTokens = 0

    public init(length: Int) { self.length = length }

    /// Document tokens / all tokens of the bucket's sequences (1 when there are none).
    public var fillRatio: Double {
        let total = sequences * length
        return total == 0 ? 1 : Double(documentTokens) / Double(total)
    }

    /// Mean document spans per sequence.
    public var meanSpansPerSequence: Double {
        sequences == 0 ? 0 : Double(spans) / Double(sequences)
    }

    mutating func recordClosed(spanCount: Int, documentTokens tokens: Int, documentEnds ends: Int) {
        sequences += 1
        documentTokens += tokens
        padTokens += length - tokens
        spans += spanCount
        documentEnds += ends
        if spansPerSequence.count <= spanCount {
            spansPerSequence.append(contentsOf: repeatElement(0, count: spanCount + 1 - spansPerSequence.count))
        }
        spansPerSequence[spanCount] += 1
    }
}

/// What the packer did overall, per bucket in ascending length order.
public struct PackingStatistics: Sendable, Equatable {
    public var buckets: [BucketStatistics]
    /// Documents given to `add` (empty ones included).
    public var documents = 0
    public var documentTokens = 0
    /// Documents with no tokens: nothing to pack, counted and skipped.
    public var emptyDocuments = 0

    public init(lengths: [Int]) { buckets = lengths.map(BucketStatistics.init(length:)) }

    public func bucket(length: Int) -> BucketStatistics? { buckets.first { $0.length == length } }

    /// As counters: `packing.documents`, `packing.len-16384.sequences`,
    /// `packing.len-16384.spans-per-sequence.3`, ... (fill ratio = document-tokens /
    /// (sequences × length), not stored since counters are integers).
    public var counters: Counters {
        var counters = Counters()
        counters.add("packing.documents", documents)
        counters.add("packing.document-tokens", documentTokens)
        counters.add("packing.empty-documents", emptyDocuments)
        for bucket in buckets {
            let prefix = "packing.len-\(bucket.length)."
            let values: [(String, Int)] = [
                ("sequences", bucket.sequences),
                ("document-tokens", bucket.documentTokens),
                ("pad-tokens", bucket.padTokens),
                ("spans", bucket.spans),
                ("document-ends", bucket.documentEnds),
                ("routed-documents", bucket.routedDocuments),
                ("routed-tokens", bucket.routedTokens),
                ("cross-filled-documents", bucket.crossFilledDocuments),
                ("cross-filled-tokens", bucket.crossFilledTokens),
                ("split-documents", bucket.splitDocuments),
                ("chunks", bucket.chunks),
                ("cut-documents", bucket.cutDocuments),
                ("dropped-long-documents", bucket.droppedLongDocuments),
                ("dropped-long-tokens", bucket.droppedLongTokens),
                ("dropped-remainder-tokens", bucket.droppedRemainderTokens),
            ]
            for (name, value) in values { counters.add(prefix + name, value) }
            for (spanCount, sequences) in bucket.spansPerSequence.enumerated() where sequences > 0 {
                counters.add(prefix + "spans-per-sequence.\(spanCount)", sequences)
            }
        }
        return counters
    }
}
