import ArgumentParser
import Foundation
import YiCore
import YiPipeline
import YiShards
import YiTokenizer

/// `yi-prep run pipelines/NAME.yaml`: a pipeline file's stages, one after another.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline file: inputs with sources and weights, filters, dedup, mixing, packing, one or more stages.",
        discussion: "See docs/pipelines.md and the recipes in pipelines/.")

    @Argument(help: "The pipeline YAML file.")
    var pipeline: String

    @Option(help: "Run only this stage.")
    var stage: String?

    @Flag(help: "Show what each stage would keep and the expected tokens per bucket; write nothing.")
    var dryRun = false

    @Option(help: "Put each stage's output folder under this folder instead.")
    var out: String?

    @Option(name: .customLong("len"), help: "Override the bucket lengths of every stage.")
    var lengths: String?

    @Flag(help: "Continue interrupted stages (finished parts are kept).")
    var resume = false

    @Flag(help: "Replace whatever yi-prep output is in the stages' folders.")
    var force = false

    @OptionGroup var ranks: RankArguments

    @OptionGroup var tokenizer: TokenizerOptions
    @OptionGroup var behavior: RunArguments
    @OptionGroup var progressArguments: ProgressArguments

    func run() throws {
        var overrides = PipelineFile.Overrides()
        overrides.tokenizerPath = tokenizer.tokenizer
        overrides.outputDirectory = out
        overrides.lengths = try lengths.map { try parseLengths($0, flag: "--len") }
        overrides.threads = behavior.threadCount
        let file = try PipelineFile.load(path: pipeline, overrides: overrides) { path in
            try TokenizerLocator.resolve(explicitPath: path, environment: ProcessInfo.processInfo.environment,
                                         homeDirectory: NSHomeDirectory())
        }
        var stages = file.stages
        if let stage {
            stages = stages.filter { $0.name == stage }
            if stages.isEmpty {
                throw YiError(.usage, "no stage \(stage) in \(pipeline) (stages: \(file.stages.map(\.name).joined(separator: ", ")))")
            }
        }
        let rankAssignment = try ranks.assignment()
        var damaged: [YiError] = []
        for stage in stages {
            var options = stage.options
            options.resume = resume
            options.force = force
            options.strict = behavior.strict
            if let rejects = behavior.rejects { options.rejectsPath = rejects }
            options.progress = try progressArguments.settings(quiet: behavior.quiet)
            options.rank = rankAssignment
            if dryRun {
                let report = try DryRun.run(options: options)
                print(DryRun.render(report, stage: stage.name, options: options), terminator: "")
                damaged += report.damagedFiles
                if options.strict, let first = report.mixWarnings.first {
                    throw YiError(.usage, "mixing: \(first.message) (--strict: a mix warning is an error)")
                }
                if let floor = options.longTokenFloor {
                    let tallies = report.buckets.map { (name: "len-\($0.length) (estimated)", long: $0.long) }
                    try LengthPolicyCheck.report(LengthPolicyCheck.shortfalls(floor, buckets: tallies), floor: floor,
                                                 strict: options.strict, log: Console.note)
                }
                continue
            }
            Console.note("stage \(stage.name) → \(options.outputDirectory)")
            let summary = try PackJob(options: options, log: Console.note).run()
            PackReport.print(summary, options: options)
            damaged += summary.damagedFiles
            if let floor = options.longTokenFloor, summary.manifest != nil {
                try LengthPolicyCheck.report(try LengthPolicyCheck.check(floor, outputDirectory: options.outputDirectory),
                                             floor: floor, strict: options.strict, log: Console.note)
            }
        }
        try finishWithDamage(damaged, allowed: behavior.allowDamaged)
    }
}
