import Foundation
import YiCore

public struct StatsOptions: Sendable {
    /// Read every token to count EOS ids (slow: the whole `.bin`); otherwise EOS tokens are the
    /// sidecar's document ends, each of which `verify` proves holds EOS.
    public var countEOSFromTokens: Bool
    /// Default: the manifest tokenizer's EOS id.
    public var eosID: TokenID?
    /// Document lengths (tokens) at which the long-token shares are measured.
    public var longTokenThresholds = LongTokenTally.defaultThresholds

    public init(countEOSFromTokens: Bool = false, eosID: TokenID? = nil) {
        self.countEOSFromTokens = countEOSFromTokens
        self.eosID = eosID
    }
}

/// Computes `DatasetStats` from the `.idx` files, the sidecars and the manifest, never from the
/// tokens, except for `countEOSFromTokens`. Memory: counts per distinct document length plus
/// one entry per document split across spans (joined by document ordinal to get whole lengths).
public enum StatsCollector {
    public static func collect(path: String, options: StatsOptions = StatsOptions()) throws -> DatasetStats {
        try collect(layout: DatasetLayout.resolve(path), options: options)
    }

    public static func collect(layout: DatasetLayout, options: StatsOptions = StatsOptions()) throws -> DatasetStats {
        if let error = layout.manifestError { throw error }
        let manifest = layout.manifest
        let eos = options.eosID ?? manifest?.tokenizer?.eosID.map { TokenID($0) }
        var notes: [String] = []
        var splitParts = SplitDocuments()
        var buckets: [BucketStats] = []
        for (b, bucket) in layout.buckets.enumerated() {
            var stats = BucketStats.empty(name: bucket.name, sequenceLength: bucket.sequenceLength, dtype: bucket.manifest?.dtype.name,
                                          thresholds: options.longTokenThresholds)
            var perSequence: [Int: Int] = [:]
            var eosCount: Int? = nil
            for shard in bucket.shards {
                guard shard.idxExists else {
                    notes.append("\(bucket.name)/\(shard.name): no .idx, not counted (run yi-prep verify)")
                    continue
                }
                let index = try MegatronIndexFile(path: shard.idxPath)
                stats.shards += 1
                stats.sequences += index.header.sequenceCount
                stats.dtype = stats.dtype ?? index.header.dtype.name
                let shardTokens = try sumOfLengths(index)
                stats.tokens += shardTokens
                if shard.docsExists {
                    stats.hasBoundaries = true
                    let documentTokens = try collectSpans(shard: shard, index: index, bucketIndex: b, stats: &stats,
                                                          perSequence: &perSequence, splitParts: &splitParts)
                    stats.documentTokens += documentTokens
                    stats.padTokens += shardTokens - documentTokens
                } else {
                    stats.documentTokens += shardTokens
                    try collectMegatronDocuments(index, stats: &stats)
                }
                if options.countEOSFromTokens, let eos {
                    eosCount = (eosCount ?? 0) + (try countTokens(equalTo: eos, in: shard, dtype: index.header.dtype))
                }
            }
            stats.documentsPerSequence = perSequence.sorted { $0.key < $1.key }.map { ValueCount(value: $0.key, count: $0.value) }
            stats.eosTokens = eosCount ?? (stats.hasBoundaries && !options.countEOSFromTokens ? stats.documents : nil)
            buckets.append(stats)
        }
        splitParts.resolve(into: &buckets)
        if options.countEOSFromTokens && eos == nil {
            notes.append("EOS id unknown (no manifest tokenizer, no --eos-id): EOS tokens not counted")
        }
        if buckets.contains(where: { !$0.hasBoundaries && $0.shards > 0 }) {
            notes.append("shards without .docs sidecars: documents are Megatron documents, no padding or source information")
        }
        if splitParts.partial > 0 {
            notes.append("\(splitParts.partial) split documents have parts outside what was read; their lengths count only the parts read")
        }
        let total = totals(of: buckets, thresholds: options.longTokenThresholds)
        let eosFrom: String? = options.countEOSFromTokens ? (eos == nil ? nil : "tokens")
            : (buckets.allSatisfy { $0.hasBoundaries || $0.shards == 0 } && !buckets.isEmpty ? "sidecar" : nil)
        let sourceNames = manifest?.sources ?? []
        let sources = total.sourceTokens.map { index, tokens in
            SourceShare(index: index, name: index < sourceNames.count ? sourceNames[index] : "source #\(index)", tokens: tokens,
                        share: total.documentTokens == 0 ? 0 : Double(tokens) / Double(total.documentTokens),
                        trainedTokens: total.trainedTokens == nil ? nil : total.sourceTrainedTokens[index, default: 0],
                        long: total.sourceLong[index] ?? LongTokenTally(thresholds: options.longTokenThresholds))
        }.sorted { ($0.tokens, $1.index) > ($1.tokens, $0.index) }
        let inputBytes = manifest.map { $0.inputs.reduce(Int64(0)) { $0 + $1.bytes } }
        let perByte = inputBytes.flatMap { $0 > 0 ? Double(total.documentTokens) / Double($0) : nil }
        // Text bytes as packed (each mixing copy counted, like its tokens); older manifests only
        // have them once per document.
        let textBytes = manifest.flatMap { manifest -> Int64? in
            let packed = manifest.counters["bytes.text.packed"]
            let text = packed > 0 ? packed : manifest.counters["bytes.text"]
            return text > 0 ? Int64(text) : nil
        }
        var stats = DatasetStats(
            path: layout.path, kind: layout.kind, hasManifest: manifest != nil, buckets: buckets, total: total, sources: sources,
            rejects: (manifest?.counters.withPrefix("rejected.") ?? []).map { NamedCount(name: $0.0, count: $0.1) },
            drops: (manifest?.counters.withPrefix("dropped.") ?? []).map { NamedCount(name: $0.0, count: $0.1) },
            inputBytes: inputBytes, tokensPerInputByte: perByte, eosCountedFrom: eosFrom,
            notes: notes + (manifest == nil ? ["no manifest.json: sources, rejects and tokens per input byte unknown"] : []),
            damagedFiles: manifest.map(damagedFiles(in:)) ?? [])
        stats.textBytes = textBytes
        stats.tokensPerTextByte = textBytes.map { Double(total.documentTokens) / Double($0) }
        stats.duplicatesBySource = (manifest?.counters.withPrefix("duplicates.source.") ?? []).map { NamedCount(name: $0.0, count: $0.1) }
        return stats
    }

    /// The manifest's `extra.damaged_files` entries.
    static func damagedFiles(in manifest: Manifest) -> [DamagedFile] {
        guard case .array(let items)? = manifest.extra.first(where: { $0.0 == "damaged_files" })?.1 else { return [] }
        return items.compactMap { item in
            item["path"]?.stringValue.map {
                DamagedFile(path: $0, byteOffset: item["byte_offset"]?.intValue.map { Int($0) }, message: item["message"]?.stringValue ?? "damaged")
            }
        }
    }

    private static func sumOfLengths(_ index: MegatronIndexFile) throws -> Int {
        var cursor = index.lengthsCursor()
        var total = 0
        for _ in 0..<index.header.sequenceCount { total += Int(try cursor.next(Int32.self, what: "sequence lengths")) }
        return total
    }

    /// Walks a sidecar; returns the shard's document tokens.
    private static func collectSpans(shard: ShardLayout, index: MegatronIndexFile, bucketIndex: Int, stats: inout BucketStats,
                                     perSequence: inout [Int: Int], splitParts: inout SplitDocuments) throws -> Int {
        let sidecar = try BoundarySidecarFile(path: shard.docsPath)
        guard sidecar.sequenceCount == index.header.sequenceCount else {
            throw YiError(.corruptInput, "sidecar holds \(sidecar.sequenceCount) sequences, the index \(index.header.sequenceCount) (run yi-prep verify)",
                          context: .init(path: shard.docsPath))
        }
        var documentTokens = 0
        let mask = FileManager.default.fileExists(atPath: shard.maskPath) ? try MaskSidecarFile(path: shard.maskPath) : nil
        if let mask, mask.sequenceCount != sidecar.sequenceCount {
            throw YiError(.corruptInput, "mask holds \(mask.sequenceCount) sequences, the sidecar \(sidecar.sequenceCount) (run yi-prep verify)",
                          context: .init(path: shard.maskPath))
        }
        try sidecar.forEachSequence { k, records in
            if let mask {
                let ranges = records.map { Int($0.offset)..<Int($0.offset + $0.length) }
                let (perSpan, total) = try mask.trainedCounts(ofSequence: k, ranges: ranges)
                stats.trainedTokens = (stats.trainedTokens ?? 0) + total
                for (record, trained) in zip(records, perSpan) {
                    let source = shard.manifest?.globalSourceIndex(Int(record.sourceIndex)) ?? Int(record.sourceIndex)
                    stats.sourceTrainedTokens[source, default: 0] += trained
                }
            }
            perSequence[records.count, default: 0] += 1
            for record in records {
                let length = Int(record.length)
                documentTokens += length
                stats.spans += 1
                let source = shard.manifest?.globalSourceIndex(Int(record.sourceIndex)) ?? Int(record.sourceIndex)
                stats.sourceTokens[source, default: 0] += length
                if record.isDocumentEnd { stats.documents += 1 } else if record.part == 0 { stats.splitDocuments += 1 }
                if record.part == 0 && record.isDocumentEnd {
                    stats.documentLengths.add(length)
                    stats.long.addDocument(length: length)
                    stats.addLong(tokens: length, documentLength: length, source: source, wholeDocument: true)
                } else {
                    splitParts.add(record, bucket: bucketIndex, source: source)
                }
            }
        }
        return documentTokens
    }

    /// Foreign shards: a document is the run of sequences between consecutive document indices.
    private static func collectMegatronDocuments(_ index: MegatronIndexFile, stats: inout BucketStats) throws {
        let header = index.header
        guard header.documentCount > 1 else { return }
        var lengths = index.lengthsCursor()
        var documents = index.documentIndicesCursor()
        var start = try documents.next(Int64.self, what: "document indices")
        var sequence: Int64 = 0
        for _ in 1..<header.documentCount {
            let end = try documents.next(Int64.self, what: "document indices")
            guard start == sequence, end >= start, end <= Int64(header.sequenceCount) else {
                throw YiError(.corruptInput, "document indices out of order (run yi-prep verify)", context: .init(path: index.file.path))
            }
            var length = 0
            while sequence < end {
                length += Int(try lengths.next(Int32.self, what: "sequence lengths"))
                sequence += 1
            }
            stats.documents += 1
            stats.documentLengths.add(length)
            start = end
        }
    }

    private static func countTokens(equalTo eos: TokenID, in shard: ShardLayout, dtype: MegatronDType) throws -> Int {
        let bin = try ReadOnlyFile(path: shard.binPath)
        var count = 0
        let target = Int64(eos)
        try bin.forEachChunk { chunk in
            let n = chunk.count / dtype.byteWidth
            if dtype == .uint16 {
                let wanted = UInt16(truncatingIfNeeded: eos)
                for i in 0..<n where UInt16(littleEndian: chunk.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) == wanted { count += 1 }
            } else {
                for i in 0..<n where rawElement(chunk, i, dtype) == target { count += 1 }
            }
        }
        return count
    }

    private static func totals(of buckets: [BucketStats], thresholds: [Int]) -> BucketStats {
        var total = BucketStats.empty(name: "total", sequenceLength: nil, dtype: Set(buckets.compactMap(\.dtype)).count == 1 ? buckets.first?.dtype : nil,
                                      thresholds: thresholds)
        var perSequence: [Int: Int] = [:]
        for b in buckets {
            total.shards += b.shards
            total.sequences += b.sequences
            total.tokens += b.tokens
            total.documentTokens += b.documentTokens
            total.padTokens += b.padTokens
            total.spans += b.spans
            total.documents += b.documents
            total.splitDocuments += b.splitDocuments
            if let eos = b.eosTokens { total.eosTokens = (total.eosTokens ?? 0) + eos }
            for vc in b.documentsPerSequence { perSequence[vc.value, default: 0] += vc.count }
            total.documentLengths.merge(b.documentLengths)
            for (source, n) in b.sourceTokens { total.sourceTokens[source, default: 0] += n }
            if let trained = b.trainedTokens { total.trainedTokens = (total.trainedTokens ?? 0) + trained }
            for (source, n) in b.sourceTrainedTokens { total.sourceTrainedTokens[source, default: 0] += n }
            total.hasBoundaries = total.hasBoundaries || b.hasBoundaries
            total.long.merge(b.long)
            for (source, tally) in b.sourceLong { total.sourceLong[source, default: LongTokenTally(thresholds: thresholds)].merge(tally) }
        }
        if buckets.contains(where: { $0.eosTokens == nil && $0.shards > 0 }) { total.eosTokens = nil }
        total.documentsPerSequence = perSequence.sorted { $0.key < $1.key }.map { ValueCount(value: $0.key, count: $0.value) }
        return total
    }
}

/// Parts of documents that were split across spans, joined by document ordinal so a split
/// document counts once, with its whole length, in the bucket that holds its first part.
struct SplitDocuments {
    private struct Entry {
        var tokens = 0
        var bucket: Int
        var source: Int
        /// Tokens of the document's parts per bucket (for the long-token tallies).
        var bucketTokens: [Int: Int] = [:]
        var sawFirst = false
        var sawEnd = false

        mutating func add(_ record: SidecarSpanRecord, bucket: Int) {
            tokens += Int(record.length)
            bucketTokens[bucket, default: 0] += Int(record.length)
            if record.part == 0 {
                sawFirst = true
                self.bucket = bucket
            }
            if record.isDocumentEnd { sawEnd = true }
        }
    }
    private var entries: [UInt64: Entry] = [:]
    private(set) var partial = 0

    mutating func add(_ record: SidecarSpanRecord, bucket: Int, source: Int) {
        // In place: a copy taken out would copy its bucketTokens on the first change.
        entries[record.documentOrdinal, default: Entry(bucket: bucket, source: source)].add(record, bucket: bucket)
    }

    mutating func resolve(into buckets: inout [BucketStats]) {
        for entry in entries.values {
            if !(entry.sawFirst && entry.sawEnd) { partial += 1 }
            buckets[entry.bucket].documentLengths.add(entry.tokens)
            buckets[entry.bucket].long.addDocument(length: entry.tokens)
            for (bucket, tokens) in entry.bucketTokens.sorted(by: { $0.key < $1.key }) {
                buckets[bucket].addLong(tokens: tokens, documentLength: entry.tokens, source: entry.source,
                                        wholeDocument: bucket == entry.bucket)
            }
        }
        entries.removeAll()
    }
}
