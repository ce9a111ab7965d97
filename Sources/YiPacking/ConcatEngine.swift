import YiCore

/// `concat`: each bucket's documents are appended in input order to one running sequence that is
/// emitted whenever it reaches exactly the bucket length; a document crossing the cut continues,
/// as its next part, at offset 0 of the following sequence.
final class ConcatEngine {
    private struct Stream {
        let length: Int
        var tokens: [TokenID] = []
        var spans: [DocumentSpan] = []

        init(length: Int) {
            self.length = length
            tokens.reserveCapacity(length)
        }
    }

    private var streams: [Stream]
    private let padID: TokenID
    private let remainder: PackingOptions.ConcatRemainder

    init(options: PackingOptions) {
        streams = options.lengths.map(Stream.init(length:))
        padID = options.padID
        remainder = options.concatRemainder
    }

    var openCounts: [Int] { streams.map { $0.tokens.isEmpty ? 0 : 1 } }
    var openTokens: Int { streams.reduce(0) { $0 + $1.tokens.count } }

    /// Appends a whole document to `bucket`'s stream; returns the number of spans it became.
    @discardableResult
    func append(_ document: [TokenID], ordinal: Int, sourceIndex: Int, bucket: Int,
                         statistics: inout PackingStatistics, output: inout [BucketedSequence]) -> Int {
        var start = 0
        var part = 0
        while start < document.count {
            // No local copy of the stream: it would make the appends below copy the buffer.
            let used = streams[bucket].tokens.count
            let take = min(document.count - start, streams[bucket].length - used)
            streams[bucket].spans.append(DocumentSpan(
                offset: used, length: take, documentOrdinal: ordinal, part: part,
                isDocumentEnd: start + take == document.count, sourceIndex: sourceIndex))
            streams[bucket].tokens.append(contentsOf: document[start..<(start + take)])
            start += take
            part += 1
            if streams[bucket].tokens.count == streams[bucket].length {
                emit(bucket: bucket, statistics: &statistics, output: &output)
            }
        }
        return part
    }

    /// Emits (padded) or drops each bucket's last partial sequence, per `concatRemainder`.
    func finish(statistics: inout PackingStatistics, output: inout [BucketedSequence]) {
        for bucket in streams.indices where !streams[bucket].tokens.isEmpty {
            switch remainder {
            case .pad:
                let missing = streams[bucket].length - streams[bucket].tokens.count
                streams[bucket].tokens.append(contentsOf: repeatElement(padID, count: missing))
                emit(bucket: bucket, statistics: &statistics, output: &output)
            case .drop:
                statistics.buckets[bucket].droppedRemainderTokens += streams[bucket].tokens.count
                streams[bucket].tokens.removeAll()
                streams[bucket].spans.removeAll()
            }
        }
    }

    private func emit(bucket: Int, statistics: inout PackingStatistics, output: inout [BucketedSequence]) {
        let length = streams[bucket].length
        let spans = streams[bucket].spans
        let tokens = streams[bucket].tokens
        streams[bucket].tokens = []
        streams[bucket].tokens.reserveCapacity(length)
        streams[bucket].spans = []
        let used = spans.reduce(0) { $0 + $1.length }
        statistics.buckets[bucket].recordClosed(
            spanCount: spans.count, documentTokens: used,
            documentEnds: spans.reduce(0) { $0 + ($1.isDocumentEnd ? 1 : 0) })
        output.append(BucketedSequence(bucketLength: length, sequence: PackedSequence(tokens: tokens, spans: spans)))
    }
}
