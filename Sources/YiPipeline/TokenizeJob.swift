import Foundation
import YiCore
import YiReaders
import YiTokenizer

/// `yi-prep tokenize`: every input document becomes one JSON line `{"id": ..., "ids": [...]}`
/// (or its ids go to `.npy` arrays, `TokenizeFormat`), in input order whatever the number of
/// threads. Workers format the output, so the writer only copies bytes. Conversations (`--chat yi`)
/// add a loss mask: `"loss_mask": [0/1 per id]`, or `PREFIX.loss_mask.npy`.
public final class TokenizeJob {
    public struct Options: Sendable {
        public var inputs: [InputGroup]
        public var tokenizerPath: String
        public var threads = 2
        /// nil: standard output.
        public var outputPath: String?
        public var format = TokenizeFormat.jsonl
        public var addBOS = false
        public var addEOS = false
        public var strict = false
        public var rejectsPath: String?
        public var progress = ProgressSettings()
        /// The older switch over `progress`: false silent, true a bar, nil automatic.
        public var showProgress: Bool? {
            get { progress.show }
            set { progress = ProgressSettings(show: newValue) }
        }

        public init(inputs: [InputGroup], tokenizerPath: String) {
            self.inputs = inputs
            self.tokenizerPath = tokenizerPath
        }
    }

    public struct Summary: Sendable {
        public var documents = 0
        public var tokens = 0
        public var textBytes = 0
        public var malformedUTF8Bytes = 0
        public var rejected = 0
        public var damagedFiles: [YiError] = []
        public var unsupported: [SkippedInput] = []
    }

    public let options: Options
    private let log: (String) -> Void

    public init(options: Options, log: @escaping (String) -> Void) {
        self.options = options
        self.log = log
    }

    private struct EncodedLines {
        var output: TokenizeBatchOutput
        var documents: Int
        var tokens: Int
        var textBytes: Int
        var malformed: Int
    }

    /// 0/1 per id of a conversation (BOS and EOS 0). The ids are the whole rendered text's, so
    /// the masker traces them; a trace failure would be a tokenizer bug and stops the run.
    static func lossMask(ids: [TokenID], bos: TokenID?, eos: TokenID?, text: String, layout: ChatLayout,
                         masker: ChatMasker) -> [TokenID] {
        let start = bos == nil ? 0 : 1
        let end = ids.count - (eos == nil ? 0 : 1)
        guard let traced = masker.mask(ids: Array(ids[start..<end]), text: text, layout: layout) else {
            preconditionFailure("chat mask: the tokens do not spell out the rendered conversation")
        }
        var mask = [TokenID](repeating: 0, count: ids.count)
        for (i, bit) in traced.mask.enumerated() { mask[start + i] = TokenID(bit) }
        return mask
    }

    public func run() throws -> Summary {
        let model = try SentencePieceModel(contentsOf: options.tokenizerPath)
        let plan = try InputPlan.make(groups: options.inputs.withChatLiterals(from: model), partBytes: .max)
        let masker = options.inputs.contains(where: { $0.reader.chat != nil }) ? try ChatMasker(model: model) : nil
        for skipped in plan.unsupported { log("skipping \(skipped.path): \(skipped.reason)") }
        let rejects = try RejectLog(strict: options.strict, rejectsPath: options.rejectsPath)
        let sink = try TokenizeSink(format: options.format, outputPath: options.outputPath, lossMask: masker != nil)
        let format = options.format
        let feeds = plan.inputs.map { DocumentFeed(inputs: [$0.0], options: $0.1, rejects: rejects) }
        let progress = ProgressReporter(label: "tokenize", settings: options.progress)
        var snapshot = ProgressReporter.Snapshot()
        snapshot.totalBytes = plan.inputs.reduce(0) { $0 + $1.0.size }
        var summary = Summary()
        summary.unsupported = plan.unsupported
        let bos = options.addBOS ? model.bosID : nil
        let eos = options.addEOS ? model.eosID : nil

        let pool = OrderedWorkPool<DocumentBatch, EncodedLines>(threads: options.threads)
        let besideOthers = options.threads > 1
        try pool.run(makeWorker: {
            let encoder = SentencePieceEncoder(model: model, runsBesideOtherEncoders: besideOthers)
            return { batch in
                var lines = EncodedLines(output: TokenizeBatchOutput(format: format),
                                         documents: 0, tokens: 0, textBytes: 0, malformed: 0)
                var ids: [TokenID] = []
                for document in batch.documents {
                    ids.removeAll(keepingCapacity: true)
                    if let bos { ids.append(bos) }
                    // As a String the text is well-formed UTF-8: the encoder skips checking it again.
                    let stats = encoder.encode(document.text, into: &ids)
                    if let eos { ids.append(eos) }
                    let mask = document.chat.flatMap { layout in
                        masker.map { Self.lossMask(ids: ids, bos: bos, eos: eos, text: document.text, layout: layout, masker: $0) }
                    }
                    lines.output.add(documentID: document.id, ids: ids, lossMask: mask)
                    lines.documents += 1
                    lines.tokens += ids.count
                    lines.textBytes += document.text.utf8.count
                    lines.malformed += stats.malformedUTF8Bytes
                }
                return lines
            }
        }, produce: { submit in
            var next = 0
            for feed in feeds { next += try feed.run(startOrdinal: next, submit: submit) }
        }, consume: { lines in
            try sink.append(lines.output)
            summary.documents += lines.documents
            summary.tokens += lines.tokens
            summary.textBytes += lines.textBytes
            summary.malformedUTF8Bytes += lines.malformed
            snapshot.documents = summary.documents
            snapshot.tokens = summary.tokens
            snapshot.bytesRead = feeds.reduce(0) { $0 + $1.fileBytesRead }
            progress.update(snapshot)
        })
        progress.finish(snapshot)
        try sink.commit()
        try rejects.finish()
        summary.rejected = rejects.total
        summary.damagedFiles = feeds.flatMap(\.damagedFiles)
        return summary
    }
}
