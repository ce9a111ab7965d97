import YiCore

/// Turns tokenized documents, in input order, into fixed-length sequences per length bucket.
///
/// Rules:
/// - **Routing.** A document (its tokens already end with EOS) goes to the smallest bucket whose
///   length it fits. A document longer than the largest bucket is dropped (`.drop`, counted) or
///   split (`.split`) into chunks of exactly the largest length, each its own sequence, parts
///   0, 1, 2, ...; the last, shorter chunk stays in the largest bucket (it is not re-routed to a
///   smaller one) so that all of a document's pieces train at the same context length.
/// - **best-fit** (default): documents wait in a window (documents or tokens); when it is full
///   they are placed longest first, each into the open sequence with the least remaining space
///   that fits it (ties to the oldest); if none fits, a new sequence is opened in the document's
///   own bucket. Full sequences are emitted at once; after a round each bucket keeps at most
///   `maxOpenSequences` open and closes the fullest beyond that, padding with `padID`.
/// - **Cross-fill** (best-fit, default on): candidates include open sequences of longer buckets,
///   so short documents fill the gaps long documents leave. A round places the longest bucket's
///   own documents first (then the next bucket's, ...), and a document never *opens* a sequence
///   in a longer bucket, so each bucket has about as many sequences as its own documents need
///   without cross-fill and cross-fill only replaces padding. At most `crossFillLimit` (default
///   half) of the tokens routed to a bucket so far may leave it this way, so a short bucket is
///   never starved when long documents leave more room than short ones can fill.
/// - **concat**: each bucket's documents are concatenated in input order and cut at exactly the
///   bucket length (documents continue as their next part in the following sequence);
///   `crossFill` does not apply. At `finish()` the last partial sequence is padded or dropped
///   (`concatRemainder`).
/// - Inside a sequence spans are laid out in input order (ordinal, part) from offset 0, then
///   padding. Output order depends only on the input sequence and the options.
/// - Memory: pending documents are bounded by the window (plus one document), open sequences by
///   `maxOpenSequences` per bucket (each at most its bucket length); nothing grows with the corpus.
///   Tokens are copied once, from the caller's array into the finished sequence (the tail of a
///   split document is copied once more, so that the rest of the long document can be freed).
public final class Packer {
    public let options: PackingOptions
    public private(set) var statistics: PackingStatistics

    /// The engines are classes so that they are mutated in place through the enum.
    private enum Engine {
        case bestFit(BestFitEngine)
        case concat(ConcatEngine)
    }

    private let engine: Engine
    private var isFinished = false

    /// Validates the options (lengths are sorted); a bad option is a `.usage` error.
    public init(options: PackingOptions) throws {
        let options = try options.validated()
        self.options = options
        statistics = PackingStatistics(lengths: options.lengths)
        switch options.strategy {
        case .bestFit(let window): engine = .bestFit(BestFitEngine(options: options, window: window))
        case .concat: engine = .concat(ConcatEngine(options: options))
        }
    }

    /// Adds the next document in input order; returns the sequences this finished (often none).
    /// `tokens` must already end with EOS; `ordinal` and `sourceIndex` go into its spans.
    public func add(tokens: [TokenID], ordinal: Int, sourceIndex: Int) -> [BucketedSequence] {
        precondition(!isFinished, "Packer.add called after finish()")
        statistics.documents += 1
        statistics.documentTokens += tokens.count
        guard !tokens.isEmpty else {
            statistics.emptyDocuments += 1
            return []
        }
        var output: [BucketedSequence] = []
        let largest = options.lengths.count - 1
        let home = options.lengths.firstIndex { tokens.count <= $0 } ?? largest
        let isLong = tokens.count > options.lengths[largest]
        if isLong && options.longDocuments == .drop {
            statistics.buckets[largest].droppedLongDocuments += 1
            statistics.buckets[largest].droppedLongTokens += tokens.count
            return output
        }
        statistics.buckets[home].routedDocuments += 1
        statistics.buckets[home].routedTokens += tokens.count
        if isLong { statistics.buckets[largest].splitDocuments += 1 }

        switch engine {
        case .concat(let concat):
            let spans = concat.append(tokens, ordinal: ordinal, sourceIndex: sourceIndex, bucket: home,
                                      statistics: &statistics, output: &output)
            if isLong {
                statistics.buckets[largest].chunks += spans
            } else if spans > 1 {
                statistics.buckets[home].cutDocuments += 1
            }
        case .bestFit(let bestFit):
            let item: PackItem
            if isLong {
                item = emitFullChunks(of: tokens, ordinal: ordinal, sourceIndex: sourceIndex, output: &output)
            } else {
                item = PackItem(tokens: tokens, ordinal: ordinal, part: 0, isDocumentEnd: true,
                                sourceIndex: sourceIndex, home: home)
            }
            if !item.tokens.isEmpty {
                bestFit.enqueue(item, statistics: &statistics, output: &output)
            }
        }
        return output
    }

    /// Places and closes everything still held and returns those sequences. Later calls return
    /// nothing; `add` after `finish` is a programmer error.
    public func finish() -> [BucketedSequence] {
        guard !isFinished else { return [] }
        isFinished = true
        var output: [BucketedSequence] = []
        switch engine {
        case .concat(let concat): concat.finish(statistics: &statistics, output: &output)
        case .bestFit(let bestFit): bestFit.finish(statistics: &statistics, output: &output)
        }
        return output
    }

    /// What the packer holds right now (for memory bounds and tests).
    public var state: PackerState {
        switch engine {
        case .concat(let concat):
            return PackerState(pendingDocuments: 0, pendingTokens: 0,
                               openSequences: concat.openCounts, openTokens: concat.openTokens)
        case .bestFit(let bestFit):
            return PackerState(pendingDocuments: bestFit.pendingCount, pendingTokens: bestFit.pendingTokens,
                               openSequences: bestFit.openCounts, openTokens: bestFit.openTokens)
        }
    }

    /// Best-fit `.split`: emits each full chunk of the largest length as its own sequence and
    /// returns the tail (empty when the length is an exact multiple) as an item to place.
    private func emitFullChunks(of tokens: [TokenID], ordinal: Int, sourceIndex: Int,
                                output: inout [BucketedSequence]) -> PackItem {
        let largest = options.lengths.count - 1
        let length = options.lengths[largest]
        let fullChunks = tokens.count / length
        let tailStart = fullChunks * length
        for part in 0..<fullChunks {
            let isEnd = part == fullChunks - 1 && tailStart == tokens.count
            let span = DocumentSpan(offset: 0, length: length, documentOrdinal: ordinal, part: part,
                                    isDocumentEnd: isEnd, sourceIndex: sourceIndex)
            let chunk = Array(tokens[(part * length)..<((part + 1) * length)])
            statistics.buckets[largest].recordClosed(spanCount: 1, documentTokens: length, documentEnds: isEnd ? 1 : 0)
            output.append(BucketedSequence(bucketLength: length, sequence: PackedSequence(tokens: chunk, spans: [span])))
        }
        let tail = tailStart < tokens.count ? Array(tokens[tailStart...]) : []
        statistics.buckets[largest].chunks += fullChunks + (tail.isEmpty ? 0 : 1)
        return PackItem(tokens: tail, ordinal: ordinal, part: fullChunks, isDocumentEnd: true,
                        sourceIndex: sourceIndex, home: largest)
    }
}

/// What a packer holds between calls: bounded by the window and `maxOpenSequences`.
public struct PackerState: Sendable, Equatable {
    /// Documents (and chunk tails) waiting for the next best-fit round.
    public var pendingDocuments: Int
    public var pendingTokens: Int
    /// Partly filled sequences per bucket (concat: 0 or 1).
    public var openSequences: [Int]
    /// Document tokens already placed into open sequences.
    public var openTokens: Int

    public init(pendingDocuments: Int, pendingTokens: Int, openSequences: [Int], openTokens: Int) {
        self.pendingDocuments = pendingDocuments
        self.pendingTokens = pendingTokens
        self.openSequences = openSequences
        self.openTokens = openTokens
    }
}
