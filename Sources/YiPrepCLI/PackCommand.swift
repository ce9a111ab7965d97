import ArgumentParser
import Foundation
import YiCore
import YiPacking
import YiPipeline
import YiShards

/// `yi-prep pack`: the main job.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Tokenize a corpus and pack it into fixed-length sequences in Megatron shards.",
        discussion: """
        Every document becomes its tokens + EOS (and BOS with --bos) and goes to the smallest bucket \
        it fits; longer ones are split (--long-docs). Output: OUT/len-N/shard-*.{bin,idx,docs} and \
        OUT/manifest.json, written last. See docs/formats.md.
        """)

    @Argument(help: "Input files, directories or globs (.jsonl, .jsonl.zst, .jsonl.gz, MediaWiki .xml[.bz2|.zst]).")
    var inputs: [String]

    @Option(name: .customLong("len"), help: "Sequence lengths (buckets), comma-separated.")
    var lengths = "16384"

    @Option(help: "Output folder.")
    var out = "packed"

    @OptionGroup var tokenizer: TokenizerOptions
    @OptionGroup var reader: ReaderArguments
    @OptionGroup var chat: ChatArguments
    @OptionGroup var behavior: RunArguments
    @OptionGroup var progressArguments: ProgressArguments

    @Option(help: "With --chat: conversations longer than the largest bucket: drop, or truncate-turns (cut after the last trained turn that fits).")
    var longChats = "drop"

    @Flag(help: "Prepend the model's BOS to every document.")
    var bos = false

    @Option(help: "Padding id (0 is <unk>, as Yi's tokenizer_config pads).")
    var padID: UInt32 = 0

    @Option(help: "Documents longer than the largest bucket: split or drop.")
    var longDocs = "split"

    @Option(help: "best-fit (best-fit decreasing over a window) or concat (concatenate and cut).")
    var strategy = "best-fit"

    @Option(help: "Best-fit window in tokens (default 64 × the largest length).")
    var windowTokens: Int?

    @Flag(help: "Keep buckets pure: shorter documents do not fill longer buckets' sequences.")
    var noCrossFill = false

    @Option(help: "Most tokens per shard file.")
    var shardTokens = 1 << 30

    @Option(help: ArgumentHelp("Input bytes per work part (4096, 32MiB, 4GiB), the unit of --resume and of distribution; larger files are cut into slices at line, zstd-frame or bz2-stream boundaries.",
                               valueName: "size"))
    var partBytes = ByteCount(1 << 30)

    @Flag(help: "Continue an interrupted run in --out (finished parts are kept).")
    var resume = false

    @Flag(help: "Replace whatever yi-prep output is in --out.")
    var force = false

    @Option(help: "A finished `yi-prep dedup` folder: skip the documents its drop list names.")
    var dropList: String?

    @OptionGroup var ranks: RankArguments

    func run() throws {
        let packing = try packingOptions()
        var options = PackOptions(inputs: [InputGroup(paths: inputs, reader: try chat.apply(to: reader.readerOptions()))],
                                  outputDirectory: out, tokenizerPath: try tokenizer.resolvedPath(), packing: packing)
        guard let longChatPolicy = LongChatPolicy(rawValue: longChats) else {
            throw YiError(.usage, "--long-chats must be drop or truncate-turns (got \(longChats))")
        }
        options.longChats = longChatPolicy
        options.addBOS = bos
        options.threads = behavior.threadCount
        options.shardTokens = shardTokens
        options.partBytes = partBytes.bytes
        options.resume = resume
        options.force = force
        options.strict = behavior.strict
        options.rejectsPath = behavior.rejects
        options.progress = try progressArguments.settings(quiet: behavior.quiet)
        options.dropList = dropList
        options.rank = try ranks.assignment()
        let summary = try PackJob(options: options, log: Console.note).run()
        PackReport.print(summary, options: options)
        try finishWithDamage(summary.damagedFiles, allowed: behavior.allowDamaged)
    }

    func packingOptions() throws -> PackingOptions {
        let parsed = try parseLengths(lengths, flag: "--len")
        guard let long = PackingOptions.LongDocuments(rawValue: longDocs) else {
            throw YiError(.usage, "--long-docs must be split or drop (got \(longDocs))")
        }
        let chosen: PackingOptions.Strategy
        switch strategy {
        case "best-fit": chosen = windowTokens.map { .bestFit(window: .tokens($0)) } ?? PackingOptions.defaultBestFit(lengths: parsed)
        case "concat": chosen = .concat
        default: throw YiError(.usage, "--strategy must be best-fit or concat (got \(strategy))")
        }
        return try PackingOptions(lengths: parsed, strategy: chosen, crossFill: !noCrossFill, longDocuments: long,
                                  padID: padID).validated()
    }
}

/// "8192,16384" → [8192, 16384], with a usage error naming the flag.
func parseLengths(_ text: String, flag: String) throws -> [Int] {
    let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let lengths = values.compactMap { Int($0) }
    guard !values.isEmpty, lengths.count == values.count, lengths.allSatisfy({ $0 > 0 }) else {
        throw YiError(.usage, "\(flag) takes positive token counts separated by commas, e.g. 8192,16384 (got \(text))")
    }
    return lengths
}

/// The end-of-run summary on stderr: per bucket sequences, fill, splits; rejects; parts.
enum PackReport {
    static func print(_ summary: PackJob.Summary, options: PackOptions) {
        for line in lines(summary, options: options) { Console.note(line) }
    }

    static func lines(_ summary: PackJob.Summary, options: PackOptions) -> [String] {
        var lines: [String] = []
        if options.rank.worldSize > 1 || summary.partsSkipped > 0 {
            lines.append("parts: \(summary.partsRun) packed, \(summary.partsSkipped) already complete"
                         + (summary.partsWaiting > 0 ? ", \(summary.partsWaiting) still to do by other ranks" : ""))
        }
        guard let manifest = summary.manifest else {
            lines.append("manifest.json not written yet: other parts of this run are unfinished")
            return lines
        }
        let counters = manifest.counters
        for bucket in manifest.buckets {
            let split = counters["packing.len-\(bucket.sequenceLength).split-documents"]
            lines.append(String(format: "len-%d: %d sequences, %d tokens, fill %.4f%%, %d split documents, %d shards",
                                bucket.sequenceLength, bucket.sequences, bucket.tokens, bucket.fill * 100, split, bucket.shards.count))
        }
        // The numbers a long-context stage is judged by, from what was written.
        if let stats = try? StatsCollector.collect(path: options.outputDirectory) {
            for bucket in stats.buckets where bucket.long.tokens > 0 {
                lines.append("\(bucket.name): tokens in documents " + bucket.long.shares.map {
                    "≥\($0.threshold): " + String(format: "%.1f%%", $0.share * 100)
                }.joined(separator: ", ") + "; document length p50 \(bucket.documentLengths.percentile(50) ?? 0), max \(bucket.documentLengths.maximum ?? 0)")
            }
        }
        // The run's totals come from the parts' markers (via the manifest), so a rerun that finds
        // every part done reports the same figures as the run that did the work.
        let rejected = counters.withPrefix("rejected.").reduce(0) { $0 + $1.1 }
        lines.append("documents: \(counters["documents.in"]) read, \(counters["documents.packed"]) packed; rejected records: \(rejected)")
        lines.append("wrote \((options.outputDirectory as NSString).appendingPathComponent(Manifest.fileName))")
        return lines
    }
}
