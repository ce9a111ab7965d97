import Foundation
import YiCore
import YiPacking
import YiReaders
import YiShards
import YiTokenizer

/// What one worker produced for one document.
struct EncodedDocument {
    var ordinal: Int
    var source: String
    /// Document tokens followed by EOS (and preceded by BOS when asked); empty when dropped.
    var tokens: [TokenID]
    var textBytes: Int
    var dropReason: String?
}

/// What packing one part produced; it becomes the part's completion marker.
struct PartOutcome {
    var sources: [String]
    var buckets: [BucketManifest]
    var counters: Counters
    var damagedFiles: [YiError]
}

/// Packs one work part: its files are read in order, tokenized on `threads` workers, packed and
/// written as shards `len-N/shard-PPPPP-NNNNN.*`.
final class PartRunner {
    let part: WorkPart
    let inputs: [(DiscoveredInput, ReaderOptions)]
    let options: PackOptions
    let model: SentencePieceModel
    let rejects: RejectLog
    let progress: (_ fileBytes: Int64, _ documents: Int, _ tokens: Int) -> Void

    init(part: WorkPart, inputs: [(DiscoveredInput, ReaderOptions)], options: PackOptions, model: SentencePieceModel,
         rejects: RejectLog, progress: @escaping (Int64, Int, Int) -> Void) {
        self.part = part
        self.inputs = inputs
        self.options = options
        self.model = model
        self.rejects = rejects
        self.progress = progress
    }

    /// Ordinals are unique over the whole run without knowing other parts' sizes: the part index
    /// sits above bit 40 (a trillion documents per part).
    static func ordinal(part: Int, local: Int) -> Int { (part << 40) | local }

    /// Shard files of part 3 are named `shard-00003-NNNNN`.
    static func shardPrefix(part: Int) -> String { "shard-" + WorkPart.name(part).dropFirst("part-".count) }

    func run() throws -> PartOutcome {
        let packer = try Packer(options: options.packing)
        var writers: [Int: BucketShardWriter] = [:]
        for length in options.packing.lengths {
            writers[length] = try BucketShardWriter(
                directory: (options.outputDirectory as NSString).appendingPathComponent(BucketManifest.directoryName(sequenceLength: length)),
                sequenceLength: length, shardTokens: options.shardTokens, vocabularySize: model.vocabularySize,
                shardNamePrefix: PartRunner.shardPrefix(part: part.index))
        }
        var sources = SourceTable()
        var counters = Counters()
        var documents = 0
        var tokens = 0
        let eos = model.eosID
        let bos = options.addBOS ? model.bosID : nil
        let feeds = inputs.map { DocumentFeed(inputs: [$0.0], options: $0.1, rejects: rejects) }

        func write(_ sequences: [BucketedSequence]) throws {
            for s in sequences { try writers[s.bucketLength]!.append(s.sequence) }
        }

        let rejectedBefore = rejects.counters
        let pool = OrderedWorkPool<DocumentBatch, [EncodedDocument]>(threads: options.threads)
        let partIndex = part.index
        try pool.run(makeWorker: { [model] in
            let encoder = SentencePieceEncoder(model: model)
            return { batch in
                batch.documents.enumerated().map { n, document in
                    var ids: [TokenID] = []
                    if let bos { ids.append(bos) }
                    ids += encoder.encode(document.text)
                    if let eos { ids.append(eos) }
                    return EncodedDocument(ordinal: PartRunner.ordinal(part: partIndex, local: batch.firstOrdinal + n),
                                           source: document.source, tokens: ids,
                                           textBytes: document.text.utf8.count, dropReason: nil)
                }
            }
        }, produce: { submit in
            var next = 0
            for feed in feeds { next += try feed.run(startOrdinal: next, submit: submit) }
        }, consume: { batch in
            for document in batch {
                documents += 1
                if let reason = document.dropReason {
                    counters.add("dropped.\(reason)")
                    continue
                }
                counters.add("documents.packed")
                counters.add("bytes.text", document.textBytes)
                counters.add("tokens.documents", document.tokens.count)
                tokens += document.tokens.count
                let sourceIndex = sources.index(of: document.source)
                counters.add("source.\(document.source).tokens", document.tokens.count)
                try write(packer.add(tokens: document.tokens, ordinal: document.ordinal, sourceIndex: sourceIndex))
            }
            progress(feeds.map(\.fileBytesRead).reduce(0, +), documents, tokens)
        })
        try write(packer.finish())
        var buckets: [BucketManifest] = []
        for length in options.packing.lengths {
            let writer = writers[length]!
            buckets.append(BucketManifest(sequenceLength: length, dtype: writer.dtype, shards: try writer.finish()))
        }
        counters.merge(packer.statistics.counters)
        counters.add("documents.in", documents)
        for feed in feeds { counters.merge(feed.counters) }
        // The reject log is shared by the parts of a run; this part's rejects are the difference.
        for (name, total) in rejects.counters.values { counters.add(name, total - rejectedBefore[name]) }
        return PartOutcome(sources: sources.names, buckets: buckets, counters: counters,
                           damagedFiles: feeds.flatMap(\.damagedFiles))
    }
}

/// Source names in order of first appearance; a document's span stores the index.
struct SourceTable {
    private(set) var names: [String] = []
    private var indices: [String: Int] = [:]

    mutating func index(of name: String) -> Int {
        if let i = indices[name] { return i }
        indices[name] = names.count
        names.append(name)
        return names.count - 1
    }
}
