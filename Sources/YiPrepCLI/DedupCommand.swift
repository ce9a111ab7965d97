import ArgumentParser
import Foundation
import YiCore
import YiFilters
import YiPipeline

/// `yi-prep dedup`: corpus-wide deduplication before packing (docs/dedup.md).
struct DedupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup",
        abstract: "Find exact and near duplicates across the whole corpus and write a drop list for `pack --drop-list`.",
        discussion: """
        Three resumable passes (signatures per part, buckets per key shard, clusters as distributed \
        connected components) through files in --out; several ranks share the work of every pass \
        like `pack` and meet between passes and steps through completion markers. The first document of each cluster in input order is kept. See docs/dedup.md.
        """)

    @Argument(help: "Input files, directories or globs (as for pack).")
    var inputs: [String]

    @Option(help: "Dedup folder (drop list and working files).")
    var out = "dedup"

    @Flag(help: "Drop exact duplicates of the normalized text.")
    var exact = false

    @Flag(help: "Drop near duplicates (MinHash LSH).")
    var near = false

    @Option(help: "Exact: text normalization before hashing (none, whitespace, whitespace-and-case).")
    var normalize = TextNormalization.whitespaceAndCase.rawValue

    @Option(help: "Near: shingle unit (word or character).")
    var unit = MinHashOptions.Unit.word.rawValue

    @Option(help: "Near: units per shingle.")
    var ngram = 5

    @Option(help: "Near: LSH bands.")
    var bands = 32

    @Option(help: "Near: MinHash rows per band (bands × rows permutations; threshold ≈ (1/bands)^(1/rows)).")
    var rows = 4

    @Option(help: "Near: seed of the hash permutations.")
    var seed: UInt64 = 0x5EED

    @Option(help: "Input bytes per work part of the signatures pass; sizes as in pipeline files (32MiB, 4GiB). Pack sliced .jsonl.zst inputs with the same value.")
    var partBytes = ByteCount(1 << 30)

    @Option(help: "Key shards of the buckets pass and vertex shards of the clusters pass (their units of work; fixed per run, not per rank count).")
    var keyShards = 64

    @Option(help: "Memory per rank for sorting keys, links and clusters (beyond it sorted runs spill to disk), e.g. 512MiB, 4GiB.")
    var memory = ByteCount(1 << 30)

    @Option(help: "Run only this pass (signatures, buckets or clusters), as a separate job step.")
    var pass: String?

    @Flag(help: "Replace the dedup folder of a different run in --out.")
    var force = false

    @OptionGroup var ranks: RankArguments

    @OptionGroup var reader: ReaderArguments
    @OptionGroup var behavior: RunArguments

    func run() throws {
        if behavior.strict || behavior.rejects != nil {
            // Rejected records are counted by `pack`; dedup reads the same records the same way.
            throw YiError(.usage, "--strict and --rejects belong to pack: dedup skips what the readers reject, as pack will")
        }
        var options = CorpusDedupOptions(inputs: [InputGroup(paths: inputs, reader: try reader.readerOptions())], outputDirectory: out)
        if exact {
            guard let normalization = TextNormalization(rawValue: normalize) else {
                throw YiError(.usage, "--normalize must be none, whitespace or whitespace-and-case (got \(normalize))")
            }
            options.exact = ExactDedupOptions(normalization: normalization)
        }
        if near {
            guard let unit = MinHashOptions.Unit(rawValue: unit) else { throw YiError(.usage, "--unit must be word or character (got \(unit))") }
            for (flag, value, range) in [("--ngram", ngram, MinHashOptions.ngramRange), ("--bands", bands, MinHashOptions.bandsRange),
                                         ("--rows", rows, MinHashOptions.rowsRange)] where !range.contains(value) {
                throw YiError(.usage, "\(flag) must be in \(range.lowerBound)...\(range.upperBound) (got \(value))")
            }
            options.near = MinHashOptions(unit: unit, ngram: ngram, bands: bands, rowsPerBand: rows, seed: seed)
        }
        options.partBytes = partBytes.bytes
        options.keyShards = keyShards
        options.memoryBytes = Int(memory.bytes)
        options.threads = behavior.threadCount
        options.force = force
        if let pass {
            guard let chosen = CorpusDedupPass(rawValue: pass) else {
                throw YiError(.usage, "--pass must be signatures, buckets or clusters (got \(pass))")
            }
            options.onlyPass = chosen
        }
        options.rank = try ranks.assignment()
        let summary = try CorpusDedupJob(options: options, log: { Console.note($0) }).run()
        for pass in CorpusDedupPass.allCases where summary.unitsRun[pass] != nil || summary.unitsSkipped[pass] != nil {
            Console.note("\(pass.rawValue): \(summary.unitsRun[pass] ?? 0) done, \(summary.unitsSkipped[pass] ?? 0) already complete")
        }
        if let list = summary.dropList {
            let documents = list["documents"]?.intValue ?? 0, dropped = list["dropped"]?.intValue ?? 0
            Console.note("documents: \(documents), dropped \(dropped) (exact \(list["dropped_exact"]?.intValue ?? 0), near \(list["dropped_near"]?.intValue ?? 0)) in \(list["clusters"]?.intValue ?? 0) clusters")
            Console.note("wrote \((out as NSString).appendingPathComponent("drop-list.json")); pack with --drop-list \(out)")
        } else {
            Console.note("this rank's share is done; rank 0 writes the drop list")
        }
    }
}
