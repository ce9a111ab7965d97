import Foundation
import YiCore
import YiFilters
import YiPacking
import YiReaders
import YiShards
import YiTokenizer

/// What packing one part produced; it becomes the part's completion marker.
struct PartOutcome {
    var sources: [String]
    var buckets: [BucketManifest]
    var counters: Counters
    var damagedFiles: [YiError]
    var dedup: [JSONValue]
    /// The manifest entry of the part's provenance file (`Provenance.Writer.commit`).
    var provenance: JSONValue = .null
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

    /// - Parameter mix: the run's mixing plan; a document is packed as many times as it says.
    func run(mix: MixPlan? = nil) throws -> PartOutcome {
        let packer = try Packer(options: options.packing)
        var writers: [Int: BucketShardWriter] = [:]
        for length in options.packing.lengths {
            writers[length] = try BucketShardWriter(
                directory: (options.outputDirectory as NSString).appendingPathComponent(BucketManifest.directoryName(sequenceLength: length)),
                sequenceLength: length, shardTokens: options.shardTokens, vocabularySize: model.vocabularySize,
                shardNamePrefix: PartRunner.shardPrefix(part: part.index), writesMask: options.hasChatInput)
        }
        var sources = SourceTable()
        var counters = Counters()
        var tallies = PackedTallies()
        var documents = 0
        var packedInstances = 0
        var tokens = 0
        let rejectedBefore = rejects.counters
        // Provenance: the manifest's input index of each of this part's files.
        let provenance = try Provenance.Writer(outputDirectory: options.outputDirectory, part: part.index)
        var inputIndex: [String: Int] = [:]
        for (n, input) in inputs.enumerated() where inputIndex[input.0.path] == nil {
            inputIndex[input.0.path] = part.inputs.lowerBound + n
        }
        // Documents come file by file: remember the last file's index.
        var lastInput: (path: String, index: Int) = ("", inputIndex[""] ?? -1)
        func manifestInput(of path: String?) -> Int {
            let path = path ?? ""
            if path != lastInput.path { lastInput = (path, inputIndex[path] ?? -1) }
            return lastInput.index
        }

        // Conversations' masks wait here until their sequence is written (a conversation is
        // never split, so its one span takes the whole mask); bounded by the packer's window.
        var masks = ChatMaskStore()
        func write(_ sequences: [BucketedSequence]) throws {
            for s in sequences {
                try writers[s.bucketLength]!.append(s.sequence, mask: options.hasChatInput ? masks.take(for: s.sequence) : nil)
            }
        }

        let stream = EncodedStream(inputs: inputs, options: options, model: model, rejects: rejects)
        let result = try stream.run(progress: { fileBytes in self.progress(fileBytes, documents, tokens) }) { document in
            documents += 1
            if let reason = document.dropReason {
                counters.add("dropped.\(reason)")
                return
            }
            let copies = mix.map { plan in
                plan.source(document.source)?.copies(key: SourcePlan.key(documentID: document.id), tokens: document.tokens.count) ?? 0
            } ?? 1
            if copies == 0 {
                counters.add("dropped.mix.not-sampled")
                return
            }
            if copies > 1 { counters.add("mix.repeated-documents"); counters.add("mix.extra-copies", copies - 1) }
            tallies.documentsPacked.add(1)
            tallies.textBytes.add(document.textBytes)
            if document.mask != nil {
                counters.add("chat.documents")
                if document.truncatedTurns { counters.add("chat.truncated-turns") }
                counters.add("chat.trained-tokens", document.trainedTokens * copies)
            }
            let sourceIndex = sources.index(of: document.source)
            for _ in 0..<copies {
                tallies.textBytesPacked.add(document.textBytes)
                // Each packed instance gets its own ordinal: the sidecar joins split parts by it.
                let ordinal = PartRunner.ordinal(part: part.index, local: packedInstances)
                packedInstances += 1
                try provenance.append(Provenance.Record(ordinal: ordinal, input: manifestInput(of: document.location?.path),
                                                        line: document.location?.line, byteOffset: document.location?.byteOffset,
                                                        id: document.id))
                tallies.documentTokens.add(document.tokens.count)
                tallies.addSourceTokens(document.tokens.count, source: sourceIndex)
                tokens += document.tokens.count
                if let mask = document.mask { masks.store(mask, ordinal: ordinal) }
                try write(packer.add(tokens: document.tokens, ordinal: ordinal, sourceIndex: sourceIndex))
            }
        }
        try write(packer.finish())
        tallies.add(to: &counters, sourceNames: sources.names)
        var buckets: [BucketManifest] = []
        for length in options.packing.lengths {
            let writer = writers[length]!
            var bucket = BucketManifest(sequenceLength: length, dtype: writer.dtype, shards: try writer.finish())
            bucket.lossMask = options.hasChatInput
            buckets.append(bucket)
        }
        counters.merge(packer.statistics.counters)
        counters.add("documents.in", documents)
        counters.merge(result.counters)
        // The reject log is shared by the parts of a run; this part's rejects are the difference.
        for (name, total) in rejects.counters.values { counters.add(name, total - rejectedBefore[name]) }
        return PartOutcome(sources: sources.names, buckets: buckets, counters: counters,
                           damagedFiles: result.damagedFiles, dedup: result.dedup,
                           provenance: try provenance.commit(part: part.index))
    }
}

/// The counters every packed document adds to, summed in plain integers and added to `Counters`
/// once per part (a dictionary update per counter and document, and the per-source counter's
/// name built per document, were a visible cost on corpora of short documents). A counter is
/// added only when some document added to it, as `Counters.add` would have.
struct PackedTallies {
    struct Tally {
        var total = 0
        var touched = false
        mutating func add(_ amount: Int) {
            total += amount
            touched = true
        }
    }

    var documentsPacked = Tally()
    var textBytes = Tally()
    var textBytesPacked = Tally()
    var documentTokens = Tally()
    /// `source.NAME.tokens`, by source index.
    private var sourceTokens: [Tally] = []

    mutating func addSourceTokens(_ amount: Int, source: Int) {
        while sourceTokens.count <= source { sourceTokens.append(Tally()) }
        sourceTokens[source].add(amount)
    }

    func add(to counters: inout Counters, sourceNames: [String]) {
        for (name, tally) in [("documents.packed", documentsPacked), ("bytes.text", textBytes),
                              ("bytes.text.packed", textBytesPacked), ("tokens.documents", documentTokens)] where tally.touched {
            counters.add(name, tally.total)
        }
        for (source, tally) in sourceTokens.enumerated() where tally.touched {
            counters.add("source.\(sourceNames[source]).tokens", tally.total)
        }
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

/// Masks of conversations between tokenizing and writing, by document ordinal.
struct ChatMaskStore {
    private var masks: [Int: [UInt8]] = [:]

    mutating func store(_ mask: [UInt8], ordinal: Int) { masks[ordinal] = mask }

    /// A sequence's mask: each conversation's own, 1 for other documents' tokens, 0 for padding.
    mutating func take(for sequence: PackedSequence) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: sequence.tokens.count)
        mask.withUnsafeMutableBufferPointer { mask in
            for span in sequence.spans {
                let slice = UnsafeMutableBufferPointer(rebasing: mask[span.offset..<(span.offset + span.length)])
                if let own = masks.removeValue(forKey: span.documentOrdinal) {
                    precondition(own.count == span.length && span.part == 0, "a conversation was split across spans")
                    _ = slice.update(fromContentsOf: own)
                } else {
                    slice.update(repeating: 1)
                }
            }
        }
        return mask
    }
}
