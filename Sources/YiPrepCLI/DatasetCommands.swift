import ArgumentParser
import Foundation
import YiCore
import YiPipeline
import YiShards
import YiTokenizer

/// `yi-prep stats`: what a dataset holds, from its indexes, sidecars and manifest.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Sequences, tokens, fill, document lengths, sources and rejects of a pack output, bucket or shard.")

    @Argument(help: "A pack output folder, a bucket folder (len-N) or a shard prefix.")
    var path: String

    @Flag(help: "Print JSON (keys documented in docs/formats.md, \"yi-prep stats --json\").")
    var json = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML report with charts.", valueName: "file"))
    var html: String?

    @Flag(help: "Count EOS tokens by reading every token (default: document ends from the sidecars).")
    var countEOS = false

    @Option(help: "Terminal width for tables and histograms (20...1000).")
    var width: Int?

    @Option(help: ArgumentHelp("Document lengths for the long-token shares (share of tokens in documents of at least N tokens).",
                               valueName: "N,N,..."))
    var longTokens = LongTokenTally.defaultThresholds.map(String.init).joined(separator: ",")

    mutating func validate() throws {
        if let width, !(20...1000).contains(width) { throw ValidationError("--width must be in 20...1000 (got \(width))") }
    }

    func run() throws {
        let layout = try DatasetLayout.resolve(path)
        let eos = layout.manifest?.tokenizer?.eosID.map { TokenID($0) }
        var options = StatsOptions(countEOSFromTokens: countEOS, eosID: eos)
        options.longTokenThresholds = try parseLengths(longTokens, flag: "--long-tokens")
        let stats = try StatsCollector.collect(layout: layout, options: options)
        if let html {
            try AtomicFileWriter.write(StatsHTML.render(stats), to: html)
        }
        if json {
            print(StatsJSON.string(stats))
        } else {
            print(StatsTerminal.render(stats, width: width ?? terminalWidth()), terminator: "")
            if let html { Console.note("wrote \(html)") }
        }
    }
}

/// `yi-prep inspect`: one packed sequence decoded, with its document boundaries.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show one packed sequence as text with document boundaries and token counts.")

    @Argument(help: "A pack output folder, a bucket folder or a shard prefix.")
    var path: String

    @Option(name: .customLong("len"), help: "Which bucket of a pack output folder (needed when it has several).")
    var length: Int?

    @Option(name: .customLong("seq"), help: "Sequence number in the bucket, from 0.")
    var sequence = 0

    @Flag(help: "Print the ids of each span.")
    var ids = false

    @Flag(help: "Print ids only; do not load a tokenizer.")
    var noDecode = false

    @Option(help: ArgumentHelp("Tokenizer for decoding. Default: the manifest's, then the usual search.", valueName: "path"))
    var tokenizer: String?

    func run() throws {
        let layout = try DatasetLayout.resolve(path)
        let bucket: BucketLayout
        if let length {
            guard let chosen = layout.bucket(sequenceLength: length) else {
                throw YiError(.usage, "no len-\(length) bucket here (buckets: \(layout.buckets.map(\.name).joined(separator: ", ")))",
                              context: .init(path: path))
            }
            bucket = chosen
        } else {
            guard layout.buckets.count == 1 else {
                throw YiError(.usage, "several buckets here (\(layout.buckets.map(\.name).joined(separator: ", "))): choose one with --len",
                              context: .init(path: path))
            }
            bucket = layout.buckets[0]
        }
        let reader = try BucketReader(bucket: bucket)
        let found = try reader.sequence(sequence)
        let manifest = layout.manifest
        // Name each sidecar source index through its shard's map into the manifest's table.
        let shardInfo = bucket.shards.first { $0.name == found.shardName }?.manifest
        let names = manifest?.sources ?? []
        let localCount = (found.spans?.map(\.sourceIndex).max() ?? -1) + 1
        let sources = (0..<localCount).map { local -> String in
            let global = shardInfo?.globalSourceIndex(local) ?? local
            return global < names.count ? names[global] : "source #\(global)"
        }
        var decode: (([TokenID]) -> String)?
        if !noDecode {
            let path = try TokenizerLocator.resolve(explicitPath: tokenizer ?? manifest?.tokenizer?.path,
                                                    environment: ProcessInfo.processInfo.environment,
                                                    homeDirectory: NSHomeDirectory())
            let model = try SentencePieceModel(contentsOf: path)
            if let expected = manifest?.tokenizer?.sha256, expected != model.sha256 {
                Console.note("warning: \(path) is not the tokenizer this dataset was made with (sha256 differs)")
            }
            let encoder = SentencePieceEncoder(model: model)
            decode = { encoder.decode($0) }
        }
        // Chat runs: trained tokens are marked from the shard's loss-mask sidecar.
        let mask = try bucket.shards.first { $0.name == found.shardName }
            .flatMap { FileManager.default.fileExists(atPath: $0.maskPath) ? $0 : nil }
            .map { try MaskSidecarFile(path: $0.maskPath).mask(ofSequence: found.indexInShard) }
        var origins: [Int: String] = [:]
        if let manifest, let manifestPath = layout.manifestPath {
            let root = (manifestPath as NSString).deletingLastPathComponent
            for (ordinal, record) in Provenance.lookup(outputDirectory: root, ordinals: found.spans?.map(\.documentOrdinal) ?? []) {
                origins[ordinal] = Provenance.describe(record, inputs: manifest.inputs)
            }
        }
        print(SequenceInspection.render(found, bucketName: bucket.name, sequenceNumber: sequence, sources: sources,
                                        padID: manifest?.padID.map { TokenID($0) }, showIDs: ids || noDecode, decode: decode,
                                        mask: mask, origins: origins),
              terminator: "")
    }
}

/// `yi-prep verify`: exit 0 when the dataset is sound, 5 with the problems otherwise.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check shards: format, sizes, sequence lengths, ids, boundaries, checksums against the manifest.",
        discussion: "Works on Megatron .bin/.idx made by other tools too (checks needing our sidecars or manifest are skipped and listed).")

    @Argument(help: "A pack output folder, a bucket folder or a shard prefix.")
    var path: String

    @Option(help: "Vocabulary size for the id check (default: the manifest's).")
    var vocabSize: Int?

    @Flag(help: "Skip reading tokens (ids, EOS and padding checks); sizes, indexes, sidecars and checksums only.")
    var noTokens = false

    func run() throws {
        let report = try DatasetVerifier.verify(path: path, options: VerifyOptions(vocabularySize: vocabSize, checkTokens: !noTokens))
        for note in report.notes { Console.note("note: \(note)") }
        for problem in report.problems { Console.note("problem: \(problem.description)") }
        if let failure = report.failure { throw failure }
        print("\(path): sound — \(report.shardsChecked) shards, \(report.sequencesChecked) sequences, \(report.tokensChecked) tokens checked")
    }
}

/// The width of the terminal on stdout, 100 when it is not a terminal.
func terminalWidth() -> Int {
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
    return 100
}

/// `yi-prep merge`: joins the parts written by the ranks of a distributed run.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Write manifest.json for a pack output whose parts were written by several ranks.",
        discussion: "No token data is copied. Prints each bucket's Megatron --data-path list (weighted shard prefixes).")

    @Argument(help: "The --out folder the ranks wrote to.")
    var path: String

    func run() throws {
        let result = try MergeJob.run(outputDirectory: path)
        Console.note("merged \(result.parts) parts into \((path as NSString).appendingPathComponent(Manifest.fileName))")
        if let pad = result.manifest.padID, let eos = result.manifest.tokenizer?.eosID, pad != eos {
            // Megatron's SentencePiece tokenizers report pad = -1 for Yi: only EOD padding is
            // masked (by --eod-mask-loss), so any other pad id would be trained (docs/training.md).
            Console.note("warning: padded with id \(pad), not EOD (\(eos)): Megatron-LM would train every pad position; for Megatron, pack with --pad-id \(eos) (python -m yiprep.megatron checks the recipe)")
        }
        for bucket in result.manifest.buckets where !bucket.shards.isEmpty {
            if bucket.lossMask {
                // Megatron-LM ignores .mask sidecars and would train on user turns: no recipe for it.
                Console.note("len-\(bucket.sequenceLength): chat bucket with loss masks (.mask): Megatron-LM cannot read them and would train on every token, user turns included; no --data-path printed (use a mask-aware loader, docs/chat.md)")
                continue
            }
            print("len-\(bucket.sequenceLength): --data-path \(MergeJob.megatronDataPath(manifest: result.manifest, bucket: bucket, outputDirectory: path))")
        }
    }
}
