import Foundation
import YiCore
import YiFilters
import YiPacking
import YiReaders
import YiShards
import YiTokenizer

/// `--dry-run`: what a stage would keep and how many tokens and sequences each bucket would get,
/// before the real (tokenizing) run, within about 10% of it.
///
/// Every document is read and filtered for real (dedup, then text filters, as the run does).
/// Token counts are estimated, with tokenizing bounded to a fraction of the text:
/// - a spread sample is tokenized whole: per source the first `sampleBytes` of text, then about
///   one byte in `sampleDivisor` over the rest of the input (whenever the source's sample falls
///   behind), so late parts of a corpus count as much as its start;
/// - a longer document outside the sample gets its own ratio from `sliceBytes` slices spread over
///   it (a Chinese book in an English source is not estimated at English's ratio), so long
///   documents, which decide routing and the long-token shares, are estimated one by one;
/// - a document whose estimate is within 25% of a length that decides its fate (a bucket,
///   min-doc-tokens, a token-length bound, a mix threshold) is looked at closer (a quarter of its
///   text in slices) and tokenized whole when still within 5% (or when it is short);
/// - short documents outside the sample use their source's sampled tokens per byte.
/// The estimated counts then go through the same steps as the run: token-length filters and
/// `min-doc-tokens`, the mixing plan (computed from the estimates, with its warnings), and the
/// real `Packer` on placeholder tokens, so routing, splitting, cross-fill and best-fit are not
/// approximated.
public struct DryRun {
    public struct SourceEstimate: Sendable {
        public var name: String
        public var documents = 0
        public var bytes = 0
        public var sampledBytes = 0
        public var sampledTokens = 0
        public var tokensPerByte: Double { sampledBytes == 0 ? 0 : Double(sampledTokens) / Double(sampledBytes) }
    }

    public struct BucketEstimate: Sendable {
        public var length: Int
        public var sequences = 0
        public var documentTokens = 0
        public var spans = 0
        public var long: LongTokenTally
        public var fillRatio: Double { sequences == 0 ? 1 : Double(documentTokens) / Double(sequences * length) }
    }

    public struct Report: Sendable {
        public var inputs: [(path: String, bytes: Int64)] = []
        public var unsupported: [String] = []
        public var documentsRead = 0
        public var counters = Counters()
        public var sources: [SourceEstimate] = []
        /// Bucket length → estimated document tokens (after mixing, routing and cross-fill).
        public var bucketTokens: [Int: Double] = [:]
        public var bucketDocuments: [Int: Int] = [:]
        public var buckets: [BucketEstimate] = []
        public var estimatedSplitDocuments = 0
        /// Documents whose tokens were counted exactly (the spread sample, documents near a
        /// decisive length).
        public var tokenizedDocuments = 0
        /// Text bytes the tokenizer saw (whole documents and slices): the dry run's cost.
        public var tokenizedBytes = 0
        /// Text bytes kept by the text filters and dedup.
        public var keptBytes: Int { sources.reduce(0) { $0 + $1.bytes } }
        public var mixWarnings: [MixWarning] = []
        public var damagedFiles: [YiError] = []
    }

    /// How much text is tokenized (see the type's comment); tests use smaller values to
    /// exercise the estimates on small corpora.
    public struct Sampling: Sendable {
        public var sampleBytes = 1 << 20
        public var sampleDivisor = 16
        public var sliceBytes = 1 << 10
        public init() {}
    }

    private struct Kept {
        var source: Int32
        var bytes: Int
        /// Estimated tokens without EOS/BOS; -1 until the source's ratio is known.
        var tokens: Int
        var key: UInt64
    }

    public static func run(options: PackOptions, sampling: Sampling = Sampling()) throws -> Report {
        let sampleBytes = sampling.sampleBytes, sampleDivisor = sampling.sampleDivisor, sliceBytes = sampling.sliceBytes
        let model = try SentencePieceModel(contentsOf: options.tokenizerPath)
        let encoder = SentencePieceEncoder(model: model)
        let plan = try InputPlan.make(groups: options.inputs.withChatLiterals(from: model), partBytes: options.partBytes)
        var report = Report()
        report.inputs = plan.inputs.map { ($0.0.path, $0.0.size) }
        report.unsupported = plan.unsupported.map { "\($0.path): \($0.reason)" }
        let rejects = try RejectLog(strict: false)
        let specs = try FilterRegistry.standard.makeList(options.filters, path: "filters")
        var textFilters = specs.compactMap { spec -> (any DocumentFilter)? in
            if case .text(let f) = spec.filter { return f }
            return nil
        }
        let tokenFilters = specs.compactMap { spec -> TokenLengthFilter? in
            if case .tokens(let f) = spec.filter { return f }
            return nil
        }
        // Lengths at which a document's fate changes: bucket lengths, min-doc-tokens, token-length
        // bounds and the mix's long thresholds.
        var boundaries = options.packing.lengths
        if let minimum = options.minDocumentTokens { boundaries.append(minimum) }
        for filter in tokenFilters { boundaries += [filter.minTokens, filter.maxTokens].compactMap { $0 } }
        if let mix = options.mix {
            boundaries += ([mix.defaultUpsampling] + mix.upsampling.values.map { Optional($0) })
                .compactMap { $0?.longThreshold }.filter { $0 < Int.max }
        }
        let nearBoundary = 0.25, veryNearBoundary = 0.05
        var sources: [SourceEstimate] = []
        var sourceIndex: [String: Int] = [:]
        var seenBytes: [Int] = []
        var kept: [Kept] = []
        for part in plan.parts {
            // Dedup state per part, as in the real run.
            var corpusFilters = try FilterRegistry.standard.makeList(options.filters, path: "filters").compactMap { spec -> (any CorpusFilter)? in
                if case .corpus(let f) = spec.filter { return f }
                return nil
            }
            for (input, reader) in plan.inputs[part.inputs] {
                let feed = DocumentFeed(inputs: [input], options: reader, rejects: rejects)
                try feed.run { batch in
                    documents: for document in batch.documents {
                        report.documentsRead += 1
                        // The run's order: dedup on the reader thread, then the text filters.
                        for n in corpusFilters.indices {
                            if case .drop(let reason) = corpusFilters[n].verdict(for: document) {
                                report.counters.add("dropped.\(reason)")
                                continue documents
                            }
                        }
                        for n in textFilters.indices {
                            if case .drop(let reason) = textFilters[n].verdict(for: document) {
                                report.counters.add("dropped.\(reason)")
                                continue documents
                            }
                        }
                        let bytes = document.text.utf8.count
                        let s: Int
                        if let known = sourceIndex[document.source] {
                            s = known
                        } else {
                            s = sources.count
                            sourceIndex[document.source] = s
                            sources.append(SourceEstimate(name: document.source))
                            seenBytes.append(0)
                        }
                        sources[s].documents += 1
                        sources[s].bytes += bytes
                        var tokens = -1
                        // Behind the sample's schedule over the text seen so far (this document
                        // excluded, or long documents would always be picked).
                        let behind = sources[s].sampledBytes < sampleBytes + seenBytes[s] / sampleDivisor
                        seenBytes[s] += bytes
                        func near(_ estimate: Int, _ margin: Double) -> Bool {
                            boundaries.contains { abs(Double(estimate - $0)) <= margin * Double($0) }
                        }
                        func tokenizeWhole() {
                            tokens = encoder.encode(document.text).count
                            report.tokenizedDocuments += 1
                            report.tokenizedBytes += bytes
                        }
                        if bytes < 16 * sliceBytes || (behind && bytes <= sampleBytes) {
                            // Short (or fits the sample budget): in the sample, or estimated at the source's ratio unless that
                            // lands near a decisive length (then counted exactly).
                            let ratio = sources[s].sampledBytes > 0 ? sources[s].tokensPerByte : 0.3
                            var estimate = Int(Double(bytes) * ratio)
                            var sliced: (tokens: Int, sampledBytes: Int)?
                            if !behind && bytes >= 4 * sliceBytes {
                                sliced = estimateFromSlices(document.text, bytes: bytes, sliceBytes: sliceBytes, encoder: encoder)
                                estimate = sliced!.tokens
                                report.tokenizedBytes += sliced!.sampledBytes
                            }
                            if behind || near(estimate, nearBoundary) {
                                tokenizeWhole()
                                if behind {
                                    sources[s].sampledBytes += bytes
                                    sources[s].sampledTokens += tokens
                                }
                            } else if let sliced {
                                tokens = sliced.tokens
                            }
                        } else {
                            // Long: slices over 1/16 of it; in the sample, or near a decisive
                            // length, a closer look (1/4); still within 5%: counted exactly.
                            var look = estimateFromSlices(document.text, bytes: bytes, sliceBytes: sliceBytes, encoder: encoder)
                            report.tokenizedBytes += look.sampledBytes
                            if behind || near(look.tokens, nearBoundary) {
                                look = estimateFromSlices(document.text, bytes: bytes, sliceBytes: sliceBytes, per: 4, encoder: encoder)
                                report.tokenizedBytes += look.sampledBytes
                                if behind {
                                    sources[s].sampledBytes += look.sampledBytes
                                    sources[s].sampledTokens += Int((Double(look.tokens) * Double(look.sampledBytes) / Double(bytes)).rounded())
                                }
                            }
                            tokens = look.tokens
                            if near(look.tokens, veryNearBoundary) { tokenizeWhole() }
                        }
                        kept.append(Kept(source: Int32(s), bytes: bytes, tokens: tokens, key: SourcePlan.key(documentID: document.id)))
                    }
                }
                report.counters.merge(feed.counters)
                report.damagedFiles += feed.damagedFiles
            }
        }
        report.counters.merge(rejects.counters)
        report.sources = sources

        // Whole counts as the run sees them: tokens + EOS (+ BOS), then the token filters.
        let extra = 1 + (options.addBOS ? 1 : 0)
        var counts: [(source: Int, tokens: Int, key: UInt64)] = []
        counts.reserveCapacity(kept.count)
        next: for document in kept {
            let ratio = sources[Int(document.source)].tokensPerByte
            let tokens = (document.tokens >= 0 ? document.tokens : Int((Double(document.bytes) * ratio).rounded())) + extra
            for filter in tokenFilters {
                if case .drop(let reason) = filter.verdict(tokenCount: tokens) {
                    report.counters.add("dropped.\(reason)")
                    continue next
                }
            }
            if let minimum = options.minDocumentTokens, tokens < minimum {
                report.counters.add("dropped.\(EncodedStream.belowStageMinimum)")
                continue
            }
            counts.append((Int(document.source), tokens, document.key))
        }
        kept.removeAll()

        // Mixing, from the estimated counts (the run plans from the exact ones).
        var mixPlan: MixPlan?
        if let mix = options.mix {
            var counter = MixTotalsCounter(options: mix)
            for d in counts { counter.add(source: sources[d.source].name, key: d.key, tokens: d.tokens) }
            if !counts.isEmpty {
                let made = try MixPlan.make(counter: counter)
                mixPlan = made
                report.mixWarnings = made.warnings
            }
        }

        // The real packer on placeholder tokens: routing, splits, cross-fill and fill as in the run.
        let packer = try Packer(options: options.packing)
        let thresholds = Set(LongTokenTally.defaultThresholds + (options.longTokenFloor.map { [$0.tokens] } ?? [])).sorted()
        var buckets = Dictionary(uniqueKeysWithValues: options.packing.lengths.map {
            ($0, BucketEstimate(length: $0, long: LongTokenTally(thresholds: thresholds)))
        })
        var lengthOfInstance: [Int32] = []
        func tally(_ sequences: [BucketedSequence]) {
            for s in sequences {
                var bucket = buckets[s.bucketLength]!
                bucket.sequences += 1
                for span in s.sequence.spans {
                    bucket.documentTokens += span.length
                    bucket.spans += 1
                    let documentLength = Int(lengthOfInstance[span.documentOrdinal])
                    bucket.long.add(tokens: span.length, documentLength: documentLength)
                    if span.part == 0 { bucket.long.addDocument(length: documentLength) }
                }
                buckets[s.bucketLength] = bucket
            }
        }
        let largest = options.packing.lengths.max()!
        for d in counts {
            let copies = mixPlan.map { $0.source(sources[d.source].name)?.copies(key: d.key, tokens: d.tokens) ?? 0 } ?? 1
            if copies == 0 {
                report.counters.add("dropped.mix.not-sampled")
                continue
            }
            if d.tokens > largest {
                if options.packing.longDocuments == .drop {
                    report.counters.add("dropped.long-document", copies)
                    continue
                }
                report.estimatedSplitDocuments += copies
            }
            let home = options.packing.lengths.sorted().first { d.tokens <= $0 } ?? largest
            report.bucketDocuments[home, default: 0] += copies
            let placeholder = [TokenID](repeating: 0, count: d.tokens)
            for _ in 0..<copies {
                let ordinal = lengthOfInstance.count
                lengthOfInstance.append(Int32(clamping: d.tokens))
                tally(packer.add(tokens: placeholder, ordinal: ordinal, sourceIndex: d.source))
            }
        }
        tally(packer.finish())
        report.buckets = options.packing.lengths.map { buckets[$0]! }
        for b in report.buckets { report.bucketTokens[b.length] = Double(b.documentTokens) }
        return report
    }

    /// Tokens of a long document from the ratio of slices spread over it (cut on UTF-8
    /// character boundaries): one slice per `per` slice lengths of text (1 to 16 slices for the
    /// first look, more for a closer one), so about 1/`per` of the document is tokenized and a
    /// book that changes language or style midway is not judged by one page.
    static func estimateFromSlices(_ text: String, bytes: Int, sliceBytes: Int, per: Int = 16,
                                   encoder: SentencePieceEncoder) -> (tokens: Int, sampledBytes: Int) {
        let utf8 = text.utf8
        let slices = max(1, min(per == 16 ? 16 : 256, bytes / (per * sliceBytes)))
        var sampledBytes = 0, sampledTokens = 0
        for k in 0..<slices {
            // Slice k is centred in the k-th of `slices` equal stretches.
            let centre = bytes * (2 * k + 1) / (2 * slices)
            var start = utf8.index(utf8.startIndex, offsetBy: max(0, min(bytes - sliceBytes, centre - sliceBytes / 2)))
            while start != utf8.endIndex && UTF8.isContinuation(utf8[start]) { start = utf8.index(after: start) }
            var end = utf8.index(start, offsetBy: min(sliceBytes, utf8.distance(from: start, to: utf8.endIndex)))
            while end != utf8.endIndex && UTF8.isContinuation(utf8[end]) { end = utf8.index(after: end) }
            let slice = String(decoding: utf8[start..<end], as: UTF8.self)
            sampledBytes += slice.utf8.count
            sampledTokens += encoder.encode(slice).count
        }
        guard sampledBytes > 0 else { return (bytes / 3, 0) }
        return (Int((Double(sampledTokens) / Double(sampledBytes) * Double(bytes)).rounded()), sampledBytes)
    }

    /// The report as the terminal shows it.
    public static func render(_ report: Report, stage: String, options: PackOptions) -> String {
        var out = "stage \(stage) (dry run; nothing written)\n"
        out += "  inputs: \(report.inputs.count) files, \(report.inputs.reduce(0) { $0 + $1.bytes }) bytes"
        out += report.unsupported.isEmpty ? "\n" : ", \(report.unsupported.count) unsupported\n"
        let dropped = report.counters.withPrefix("dropped.")
        let rejected = report.counters.withPrefix("rejected.")
        let keptDocuments = report.sources.reduce(0) { $0 + $1.documents }
        out += "  documents: \(report.documentsRead) read, \(keptDocuments) kept by the text filters and dedup\n"
        for (reason, n) in rejected { out += "    rejected \(reason): \(n)\n" }
        for (reason, n) in dropped { out += "    dropped \(reason): \(n)\n" }
        out += "  sources (after text filters and dedup):\n"
        let nameWidth = max(24, report.sources.map(\.name.count).max() ?? 0) + 1
        for source in report.sources {
            out += "    " + source.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + String(format: " %8d docs %12d bytes  ~%.3f tokens/byte\n", source.documents, source.bytes, source.tokensPerByte)
        }
        for warning in report.mixWarnings { out += "  warning: mixing: \(warning.message)\n" }
        let tokenizedShare = report.keptBytes == 0 ? 0 : 100 * Double(report.tokenizedBytes) / Double(report.keptBytes)
        out += "  expected per bucket (\(String(format: "%.0f", tokenizedShare))% of the text tokenized: a spread sample, documents near a "
            + "decisive length, slices of long ones; the rest estimated):\n"
        for bucket in report.buckets {
            out += String(format: "    len-%-6d ~%d tokens, ~%d sequences, fill %.1f%%, %d documents\n",
                          bucket.length, bucket.documentTokens, bucket.sequences, bucket.fillRatio * 100,
                          report.bucketDocuments[bucket.length] ?? 0)
            if bucket.documentTokens > 0 {
                out += "      tokens in documents " + bucket.long.shares.map {
                    "≥\($0.threshold): " + String(format: "%.1f%%", $0.share * 100)
                }.joined(separator: ", ") + "\n"
            }
        }
        if report.estimatedSplitDocuments > 0 {
            out += "    ~\(report.estimatedSplitDocuments) documents longer than len-\(options.packing.lengths.max()!) would be split\n"
        }
        return out
    }
}
