import Foundation
import YiCore
import YiFilters
import YiPacking
import YiReaders
import YiShards
import YiTokenizer

/// `yi-prep pack`: inputs → tokenizer → packer → shards, part by part, then the manifest.
///
/// Output folder:
/// ```
/// OUT/len-16384/shard-PPPPP-NNNNN.{bin,idx,docs}   shards of part PPPPP
/// OUT/.parts/part-PPPPP.json                       completion marker of a part (written last)
/// OUT/manifest.json                                written when every part is complete
/// ```
/// A part is written entirely or not at all: a rerun (`--resume`, or another rank) skips parts
/// whose marker carries the same run fingerprint and redoes the others from scratch.
public final class PackJob {
    public let options: PackOptions
    private let log: (String) -> Void
    /// Where the progress display writes (stderr; tests capture it).
    public var progressOutput: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    public init(options: PackOptions, log: @escaping (String) -> Void) {
        self.options = options
        self.log = log
    }

    public struct Summary {
        public var manifest: Manifest?
        public var partsRun: Int
        public var partsSkipped: Int
        public var partsWaiting: Int
        public var damagedFiles: [YiError]
        public var rejected: Int
    }

    public func run() throws -> Summary {
        guard options.shardTokens >= 1 else {
            throw YiError(.usage, "--shard-tokens must be at least 1 (got \(options.shardTokens))")
        }
        for warning in try PackingOptions.checkSequenceLengths(options.packing.lengths) { log(warning) }
        let model = try SentencePieceModel(contentsOf: options.tokenizerPath)
        if let path = options.dropList { _ = try DropList(path: path) }   // a clear error before any work
        let plan = try InputPlan.make(groups: options.inputs.withChatLiterals(from: model), partBytes: options.partBytes)
        if options.hasChatInput {
            if case .concat = options.packing.strategy {
                throw YiError(.usage, "chat inputs need --strategy best-fit: concat cuts documents at sequence ends, and a conversation is never cut")
            }
            log("chat: every shard gets a .mask loss-mask sidecar; Megatron-LM cannot read it and would train on every token (user turns included): use these buckets with a mask-aware loader (docs/chat.md)")
        }
        for skipped in plan.unsupported { log("skipping \(skipped.path): \(skipped.reason)") }
        for note in plan.slicingNotes { log(note) }
        guard !plan.inputs.isEmpty else {
            throw YiError(.usage, "no readable inputs in \(options.inputs.flatMap(\.paths).joined(separator: ", "))")
        }
        if options.force && options.rank.worldSize > 1 {
            throw YiError(.usage, "--force with several ranks would let every rank clear the others' work: empty the output folder once before starting the ranks")
        }
        // The mixing plan comes before anything is written: its guards may stop the run.
        let mixPlan = try options.mix.map { mix -> MixPlan in
            log("mixing: counting pass over all \(plan.parts.count) part(s) for source totals")
            let mixPlan = try MixCounting.plan(mix, inputs: plan, options: options, model: model)
            try MixCounting.report(mixPlan.warnings, strict: options.strict, log: log)
            return mixPlan
        }
        let fingerprint = RunFingerprint.make(options: options, tokenizerSHA256: model.sha256, inputs: plan.inputs.map(\.0))
        let builder = ManifestBuilder(options: options, model: model,
                                      inputs: plan.inputs.map { InputFile($0.0) },
                                      fingerprint: fingerprint, unsupported: plan.unsupported.map(\.path))
        // The rejects file is opened (as a temporary file, removed if we fail) before the output
        // folder is touched, so a bad rejects path leaves no half-made output needing --force.
        if let path = options.rejectsPath {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw YiError(.io, "cannot create the rejects file's folder", context: .init(path: folder),
                                  cause: error.localizedDescription)
                }
            }
        }
        let rejects = try RejectLog(strict: options.strict, rejectsPath: options.rejectsPath.map {
            options.rank.worldSize > 1 ? "\($0).rank-\(options.rank.rank)" : $0
        })
        let layout = OutputFolder(path: options.outputDirectory)
        try layout.prepare(fingerprint: fingerprint, resume: options.resume || options.rank.worldSize > 1, force: options.force)
        if options.rank.worldSize == 1 { try layout.removeStaleTemporaryFiles() }
        let mine = options.rank.select(plan.parts) { $0.bytes }
        let progress = ProgressReporter(label: "pack", settings: options.progress, write: progressOutput)
        var snapshot = ProgressReporter.Snapshot()
        snapshot.totalBytes = mine.reduce(0) { $0 + $1.bytes }
        // Totals of the parts already finished, so the progress line counts the whole run.
        var bytesDone: Int64 = 0
        var documentsDone = 0
        var tokensDone = 0
        var summary = Summary(manifest: nil, partsRun: 0, partsSkipped: 0, partsWaiting: 0, damagedFiles: [], rejected: 0)

        for part in mine {
            if let done = try layout.completedPart(part.index, fingerprint: fingerprint) {
                summary.partsSkipped += 1
                summary.damagedFiles += ManifestBuilder.damagedFiles(in: done)
                bytesDone += part.bytes
                continue
            }
            try layout.clearPart(part, lengths: options.packing.lengths)
            let runner = PartRunner(part: part, inputs: Array(plan.inputs[part.inputs]), options: options, model: model,
                                    rejects: rejects) { fileBytes, documents, tokens in
                snapshot.bytesRead = bytesDone + fileBytes
                snapshot.documents = documentsDone + documents
                snapshot.tokens = tokensDone + tokens
                progress.update(snapshot)
            }
            let outcome = try runner.run(mix: mixPlan)
            var marker = builder.partMarker(part: part, partCount: plan.parts.count, sources: outcome.sources, buckets: outcome.buckets,
                                            counters: outcome.counters, damagedFiles: outcome.damagedFiles,
                                            dedup: outcome.dedup, mix: mixPlan?.json)
            marker.extra.append(("provenance", outcome.provenance))
            try layout.writeMarker(marker, part: part.index)
            summary.partsRun += 1
            summary.damagedFiles += outcome.damagedFiles
            bytesDone += part.bytes
            documentsDone += outcome.counters["documents.in"]
            tokensDone += outcome.counters["tokens.documents"]
            snapshot.bytesRead = bytesDone
            snapshot.documents = documentsDone
            snapshot.tokens = tokensDone
        }
        progress.finish(snapshot)
        // A rerun that packed nothing keeps the rejects file of the run that did (the temporary
        // one is dropped), instead of replacing it with an empty one.
        if summary.partsRun > 0 { try rejects.finish() }
        summary.rejected = rejects.total

        // The manifest appears once every part of the run is complete (whichever rank gets there).
        let results = try plan.parts.compactMap { try layout.completedPart($0.index, fingerprint: fingerprint) }
        summary.partsWaiting = plan.parts.count - results.count
        if summary.partsWaiting == 0 {
            let manifest = ManifestBuilder.runManifest(markers: results)
            try manifest.write(toDirectory: options.outputDirectory)
            summary.manifest = manifest
            if let warning = Self.nothingPackedWarning(manifest.counters) { log(warning) }
            for warning in Self.lowFillWarnings(manifest) { log(warning) }
            if let path = options.dropList, let list = try? DropList(path: path),
               manifest.counters["dropped.\(DropList.reason)"] != list.droppedTotal {
                // Positions did not match: other inputs than dedup read, or a compressed file sliced differently.
                log("warning: the drop list names \(list.droppedTotal) documents but \(manifest.counters["dropped.\(DropList.reason)"]) were found and skipped: pack the same inputs as dedup, with the same --part-bytes for large compressed files")
            }
        }
        return summary
    }

    /// An empty output is never what a run was for: say why nothing was packed (the largest
    /// drop and reject reasons), instead of a quiet "0 sequences".
    static func nothingPackedWarning(_ counters: Counters) -> String? {
        guard counters["documents.packed"] == 0 else { return nil }
        let reasons = (counters.withPrefix("dropped.").map { ("dropped." + $0.0, $0.1) }
            + counters.withPrefix("rejected.").map { ("rejected." + $0.0, $0.1) })
            .filter { $0.1 > 0 }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            .prefix(3).map { "\($0.0): \($0.1)" }
        let read = counters["documents.in"]
        return "warning: nothing was packed: "
            + (read == 0 ? "no document was read from the inputs" : "all \(read) documents read were dropped")
            + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))") + "; the output holds no sequences"
    }

    /// Best-fit fills over 99% of every bucket on real corpora. Far less means most of each
    /// sequence is padding, compute that trains nothing: too few documents for the length, or a
    /// length far above the documents'.
    static let lowFillThreshold = 0.9

    static func lowFillWarnings(_ manifest: Manifest) -> [String] {
        manifest.buckets.filter { $0.tokens > 0 && $0.fill < lowFillThreshold }.map { bucket in
            "warning: \(bucket.directory): fill " + String(format: "%.1f%%", bucket.fill * 100)
                + ": \(bucket.padTokens) of its \(bucket.tokens) tokens are padding (best-fit fills real corpora over 99%; too few documents for this length?)"
        }
    }
}
