import ArgumentParser
import Foundation
import YiCore
import YiPacking
import YiPipeline
import YiReaders
import YiTokenizer

/// `--tokenizer`, shared by every command that tokenizes.
struct TokenizerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("SentencePiece tokenizer.model. Default: $YI_TOKENIZER, then a Yi tokenizer.model in the Hugging Face cache.",
                               valueName: "path"))
    var tokenizer: String?

    /// The model path by the documented search order, or an error saying how to get one.
    func resolvedPath() throws -> String {
        try TokenizerLocator.resolve(explicitPath: tokenizer, environment: ProcessInfo.processInfo.environment,
                                     homeDirectory: NSHomeDirectory())
    }
}

/// How input records become documents (`--text-field`, `--namespaces`, ...).
struct ReaderArguments: ParsableArguments {
    @Option(help: "JSONL field holding the text; dots walk into objects (meta.content).")
    var textField = "text"

    @Option(help: "JSONL field holding the document id (missing: file:line).")
    var idField = "id"

    @Option(help: "JSONL field naming the document's source, for statistics and mixing (e.g. meta.redpajama_set_name).")
    var sourceField = "source"

    @Option(help: "A fixed source name for every input document (overrides --source-field).")
    var source: String?

    @Option(help: "MediaWiki namespaces to keep, comma-separated.")
    var namespaces = "0"

    @Option(help: "MediaWiki text: plain (markup removed) or raw.")
    var wikitext = "plain"

    func readerOptions() throws -> ReaderOptions {
        let spaces = try namespaces.split(separator: ",").map { part -> Int in
            guard let n = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw YiError(.usage, "--namespaces: \"\(part)\" is not a namespace number")
            }
            return n
        }
        guard let mode = WikitextMode(rawValue: wikitext) else {
            throw YiError(.usage, "--wikitext must be plain or raw (got \(wikitext))")
        }
        return ReaderOptions(textField: textField, idField: idField, sourceField: sourceField.isEmpty ? nil : sourceField,
                             sourceName: source, namespaces: Set(spaces), wikitext: mode)
    }
}

/// Flags about how a run behaves rather than what it produces.
struct RunArguments: ParsableArguments {
    @Option(help: "1: everything on one thread; N > 1: N tokenizer workers beside a reader and a writer thread (default: all cores).")
    var threads: Int?

    @Flag(help: "Stop at the first rejected record (exit 4) instead of counting it.")
    var strict = false

    @Option(help: ArgumentHelp("Write every rejected record (file, line, reason) to this JSONL file.", valueName: "file"))
    var rejects: String?

    @Flag(help: "Exit 0 even when some input files were damaged (their good documents are kept either way).")
    var allowDamaged = false

    @Flag(help: "No progress line.")
    var quiet = false

    @Flag(help: "Show error codes and low-level causes.")
    var verbose = false

    /// More threads than this is a typo, not a machine (and would overflow the work queue's size).
    static let maxThreads = 4096

    mutating func validate() throws {
        if let threads, !(1...Self.maxThreads).contains(threads) {
            throw ValidationError("--threads must be in 1...\(Self.maxThreads) (got \(threads))")
        }
    }

    var threadCount: Int {
        max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// nil lets the reporter decide by whether stderr is a terminal.
    var progress: Bool? { quiet ? false : nil }
}

/// Messages for people go to stderr; data goes to stdout.
enum Console {
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// Damaged inputs end a run that otherwise finished with exit status 3 (unless allowed).
func finishWithDamage(_ damaged: [YiError], allowed: Bool) throws {
    guard !damaged.isEmpty else { return }
    for error in damaged { Console.note("damaged input: \(error.description)") }
    if !allowed {
        let first = damaged[0].context.path ?? "?"
        throw YiError(.corruptInput, "\(damaged.count) input file(s) were damaged (first: \(first)); the documents before each damage were kept (--allow-damaged exits 0)")
    }
}

/// `--chat yi` and `--train-on`: read JSONL records as conversations (docs/chat.md).
struct ChatArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Read JSONL records as conversations (OpenAI \"messages\" or ShareGPT \"conversations\") rendered by this chat template, with a loss mask: yi.",
                               valueName: "template"))
    var chat: String?

    @Option(help: "With --chat: which tokens are trained: assistant (every assistant message), last-assistant or all.")
    var trainOn = "assistant"

    /// nil without `--chat`.
    func chatOptions() throws -> ChatOptions? {
        guard let chat else {
            if trainOn != "assistant" { throw YiError(.usage, "--train-on needs --chat yi") }
            return nil
        }
        guard let template = ChatTemplate(rawValue: chat) else {
            throw YiError(.usage, "--chat must be yi (got \(chat))")
        }
        guard let train = ChatTrainOn(rawValue: trainOn) else {
            throw YiError(.usage, "--train-on must be assistant, last-assistant or all (got \(trainOn))")
        }
        return ChatOptions(template: template, trainOn: train)
    }

    /// The reader options with the chat choice applied.
    func apply(to reader: ReaderOptions) throws -> ReaderOptions {
        var reader = reader
        reader.chat = try chatOptions()
        return reader
    }
}

/// A size flag (`--part-bytes 32MiB`), read by the same parser as pipeline files' sizes.
struct ByteCount: ExpressibleByArgument, CustomStringConvertible {
    var bytes: Int64

    init(_ bytes: Int64) { self.bytes = bytes }

    init?(argument: String) {
        guard let bytes = ByteSize.parse(argument), bytes > 0 else { return nil }
        self.bytes = bytes
    }

    /// What `--help` shows as the default: the binary unit when it is exact.
    var description: String {
        for (unit, size) in [("GiB", Int64(1) << 30), ("MiB", Int64(1) << 20), ("KiB", Int64(1) << 10)]
        where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)"
    }

    var defaultValueDescription: String { description }
}

extension ProgressMode: ExpressibleByArgument {}

/// `--progress` and its log interval, for the long-running commands.
struct ProgressArguments: ParsableArguments {
    @Option(help: "auto (a bar on a terminal, timestamped log lines otherwise), bar, log or none (same as --quiet).")
    var progress: ProgressMode = .auto

    @Option(help: ArgumentHelp("Seconds between two progress log lines.", valueName: "seconds"))
    var progressInterval: Double = 10

    func settings(quiet: Bool) throws -> ProgressSettings {
        guard progressInterval > 0, progressInterval.isFinite else {
            throw YiError(.usage, "--progress-interval must be a positive number of seconds (got \(progressInterval))")
        }
        return ProgressSettings(mode: quiet ? .none : progress, logInterval: progressInterval)
    }
}

/// This process's place among the ranks of a distributed run; the defaults come from Slurm or
/// Kubernetes (docs/distributed.md).
struct RankArguments: ParsableArguments {
    @Option(help: "This process's rank (default from SLURM_ARRAY_TASK_ID, SLURM_PROCID or JOB_COMPLETION_INDEX).")
    var rank: Int?

    @Option(help: "Number of ranks (default from SLURM_ARRAY_TASK_COUNT, SLURM_NTASKS or YI_WORLD_SIZE).")
    var worldSize: Int?

    func assignment() throws -> RankAssignment {
        try RankAssignment.resolve(rank: rank, worldSize: worldSize, environment: ProcessInfo.processInfo.environment)
    }
}
