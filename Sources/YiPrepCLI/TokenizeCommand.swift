import ArgumentParser
import Foundation
import YiCore
import YiPipeline
import YiTokenizer

extension TokenizeFormat: ExpressibleByArgument {}

/// `yi-prep tokenize`: ids exactly as SentencePiece gives them, one JSON line per document (or
/// `.npy` arrays, docs/performance.md).
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize documents (or --text) exactly as SentencePiece does; JSONL {\"id\", \"ids\"} in input order.")

    @Argument(help: "Input files, directories or globs.")
    var inputs: [String] = []

    @Option(help: "Tokenize this literal text instead of input files.")
    var text: String?

    @Option(help: ArgumentHelp("Write the JSONL here, atomically (default: stdout); with --format npy the files' prefix.", valueName: "file"))
    var output: String?

    @Option(help: "jsonl, or npy: PREFIX.ids.npy (uint32, all ids), PREFIX.offsets.npy (int64, documents + 1) and PREFIX.documents.jsonl, PREFIX given by --output.")
    var format = TokenizeFormat.jsonl

    @Flag(help: "Prepend the model's BOS id.")
    var bos = false

    @Flag(help: "Append the model's EOS id.")
    var eos = false

    @OptionGroup var tokenizer: TokenizerOptions
    @OptionGroup var reader: ReaderArguments
    @OptionGroup var chat: ChatArguments
    @OptionGroup var behavior: RunArguments
    @OptionGroup var progressArguments: ProgressArguments

    func validate() throws {
        if (text == nil) == inputs.isEmpty {
            throw ValidationError("give input files or --text, not both")
        }
        if format == .npy && (output == nil || text != nil) {
            throw ValidationError("--format npy needs input files and --output PREFIX (it writes PREFIX.ids.npy, PREFIX.offsets.npy, PREFIX.documents.jsonl)")
        }
    }

    func run() throws {
        let path = try tokenizer.resolvedPath()
        if let text {
            if chat.chat != nil { throw YiError(.usage, "--chat reads conversations from JSONL inputs, not --text") }
            let model = try SentencePieceModel(contentsOf: path)
            var ids = SentencePieceEncoder(model: model).encode(text)
            if bos, let id = model.bosID { ids.insert(id, at: 0) }
            if eos, let id = model.eosID { ids.append(id) }
            var line = "{\"ids\": "
            JSONWriter.appendIDs(ids, to: &line)
            line += "}\n"
            if let output { try AtomicFileWriter.write(line, to: output) } else { Swift.print(line, terminator: "") }
            return
        }
        var options = TokenizeJob.Options(inputs: [InputGroup(paths: inputs, reader: try chat.apply(to: reader.readerOptions()))],
                                          tokenizerPath: path)
        options.threads = behavior.threadCount
        options.outputPath = output
        options.format = format
        options.addBOS = bos
        options.addEOS = eos
        options.strict = behavior.strict
        options.rejectsPath = behavior.rejects
        options.progress = try progressArguments.settings(quiet: behavior.quiet)
        let summary = try TokenizeJob(options: options, log: Console.note).run()
        var note = "tokenized \(summary.documents) documents, \(summary.tokens) tokens, \(summary.textBytes) bytes of text"
        if summary.rejected > 0 { note += "; \(summary.rejected) records rejected" }
        if summary.malformedUTF8Bytes > 0 { note += "; \(summary.malformedUTF8Bytes) malformed UTF-8 bytes (encoded as U+FFFD, like SentencePiece)" }
        if !behavior.quiet { Console.note(note) }
        try finishWithDamage(summary.damagedFiles, allowed: behavior.allowDamaged)
    }
}
