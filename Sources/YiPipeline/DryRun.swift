import Foundation
import YiCore
import YiFilters
import YiReaders
import YiTokenizer

/// `--dry-run`: what a stage would keep and about how many tokens each bucket would get, before
/// the real (tokenizing) run. Documents are read and filtered for real (text filters and dedup;
/// token-length filters need tokens and are estimated); tokens are estimated per source from
/// the tokens-per-byte of the first `sampleBytes` of that source's text, the only text tokenized.
public struct DryRun {
    public struct SourceEstimate: Sendable {
        public var name: String
        public var documents = 0
        public var bytes = 0
        public var sampledBytes = 0
        public var sampledTokens = 0
        public var tokensPerByte: Double { sampledBytes == 0 ? 0 : Double(sampledTokens) / Double(sampledBytes) }
    }

    public struct Report: Sendable {
        public var inputs: [(path: String, bytes: Int64)] = []
        public var unsupported: [String] = []
        public var documentsRead = 0
        public var counters = Counters()
        public var sources: [SourceEstimate] = []
        /// Bucket length → estimated tokens (documents routed there, chunks of long ones).
        public var bucketTokens: [Int: Double] = [:]
        public var bucketDocuments: [Int: Int] = [:]
        public var estimatedSplitDocuments = 0
        public var damagedFiles: [YiError] = []
    }

    public static let sampleBytes = 1 << 20

    public static func run(options: PackOptions) throws -> Report {
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
        var sources: [String: SourceEstimate] = [:]
        var kept: [(source: String, bytes: Int)] = []
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
                        for n in textFilters.indices {
                            if case .drop(let reason) = textFilters[n].verdict(for: document) {
                                report.counters.add("dropped.\(reason)")
                                continue documents
                            }
                        }
                        for n in corpusFilters.indices {
                            if case .drop(let reason) = corpusFilters[n].verdict(for: document) {
                                report.counters.add("dropped.\(reason)")
                                continue documents
                            }
                        }
                        let bytes = document.text.utf8.count
                        var estimate = sources[document.source] ?? SourceEstimate(name: document.source)
                        estimate.documents += 1
                        estimate.bytes += bytes
                        if estimate.sampledBytes < sampleBytes {
                            estimate.sampledBytes += bytes
                            estimate.sampledTokens += encoder.encode(document.text).count
                        }
                        sources[document.source] = estimate
                        kept.append((document.source, bytes))
                    }
                }
                report.counters.merge(feed.counters)
                report.damagedFiles += feed.damagedFiles
            }
        }
        report.counters.merge(rejects.counters)
        report.sources = sources.values.sorted { $0.name < $1.name }
        // Route estimated lengths like the packer does (smallest bucket that fits; split long ones).
        let lengths = options.packing.lengths
        let largest = lengths.max()!
        for (source, bytes) in kept {
            let tokens = Double(bytes) * (sources[source]?.tokensPerByte ?? 0.3) + 1 + (options.addBOS ? 1 : 0)
            if let bucket = lengths.first(where: { Double($0) >= tokens }) {
                report.bucketTokens[bucket, default: 0] += tokens
                report.bucketDocuments[bucket, default: 0] += 1
            } else if options.packing.longDocuments == .split {
                report.bucketTokens[largest, default: 0] += tokens
                report.bucketDocuments[largest, default: 0] += 1
                report.estimatedSplitDocuments += 1
            } else {
                report.counters.add("dropped.long-document")
            }
        }
        return report
    }

    /// The report as the terminal shows it.
    public static func render(_ report: Report, stage: String, options: PackOptions) -> String {
        var out = "stage \(stage) (dry run; nothing written)\n"
        out += "  inputs: \(report.inputs.count) files, \(report.inputs.reduce(0) { $0 + $1.bytes }) bytes"
        out += report.unsupported.isEmpty ? "\n" : ", \(report.unsupported.count) unsupported\n"
        let dropped = report.counters.withPrefix("dropped.")
        let rejected = report.counters.withPrefix("rejected.")
        let keptDocuments = report.sources.reduce(0) { $0 + $1.documents }
        out += "  documents: \(report.documentsRead) read, \(keptDocuments) kept\n"
        for (reason, n) in rejected { out += "    rejected \(reason): \(n)\n" }
        for (reason, n) in dropped { out += "    dropped \(reason): \(n)\n" }
        out += "  sources (kept):\n"
        let indent = "    "
        for source in report.sources {
            let name = indent + (source.name.count >= 24 ? source.name : source.name.padding(toLength: 24, withPad: " ", startingAt: 0))
            out += name + String(format: " %8d docs %12d bytes  ~%.3f tokens/byte\n", source.documents, source.bytes, source.tokensPerByte)
        }
        out += "  expected tokens per bucket (estimated from each source's first \(sampleBytes >> 20) MiB):\n"
        for length in options.packing.lengths {
            let tokens = report.bucketTokens[length] ?? 0
            out += String(format: "    len-%-6d ~%.0f tokens, ~%.0f sequences, %d documents\n",
                          length, tokens, (tokens / Double(length)).rounded(.up), report.bucketDocuments[length] ?? 0)
        }
        if report.estimatedSplitDocuments > 0 {
            out += "    ~\(report.estimatedSplitDocuments) documents longer than len-\(options.packing.lengths.max()!) would be split\n"
        }
        if options.mix != nil {
            out += "  mixing: the real run first counts tokens per source, then samples to the configured shares\n"
        }
        return out
    }
}
