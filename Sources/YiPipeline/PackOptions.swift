import YiCore
import YiFilters
import YiPacking
import YiReaders
import YiTokenizer

/// One group of inputs with its own reading options (a pipeline file's `inputs:` entry, or all
/// positional arguments of `yi-prep pack`).
public struct InputGroup: Sendable {
    /// Files, directories or globs.
    public var paths: [String]
    public var reader: ReaderOptions

    public init(paths: [String], reader: ReaderOptions = ReaderOptions()) {
        self.paths = paths
        self.reader = reader
    }
}

extension InputGroup {
    /// The group as a run's options record it (and its fingerprint digests).
    var configuration: JSONValue {
        .object([
            ("paths", .array(paths.map { .string($0) })),
            ("text_field", .string(reader.textField)),
            ("id_field", .string(reader.idField)),
            ("source_field", reader.sourceField.map { .string($0) } ?? .null),
            ("source", reader.sourceName.map { .string($0) } ?? .null),
            ("namespaces", .array(reader.namespaces.sorted().map { .int(Int64($0)) })),
            ("wikitext", .string(reader.wikitext.rawValue)),
        ] + reader.chatJSON)
    }
}

/// What happens to a conversation longer than the largest bucket (`--long-chats`). A
/// conversation is never cut mid-turn or split over sequences.
public enum LongChatPolicy: String, Sendable, CaseIterable {
    /// Dropped and counted (`dropped.long-chat`).
    case drop
    /// Cut after the last trained turn that fits (counted as `chat.truncated-turns`); dropped when
    /// no trained turn fits (`dropped.long-chat-no-trained-turn-fits`).
    case truncateTurns = "truncate-turns"
}

/// Everything `yi-prep pack` (and each stage of `yi-prep run`) needs.
public struct PackOptions: Sendable {
    public var inputs: [InputGroup]
    public var outputDirectory: String
    public var tokenizerPath: String
    public var packing: PackingOptions
    /// Prepend the model's BOS to every document (EOS is always appended).
    public var addBOS = false
    public var threads = 2
    /// Upper bound on tokens per shard file.
    public var shardTokens = 1 << 30
    /// Input bytes per work part (the unit of resumption and distribution; see `WorkPart`).
    public var partBytes: Int64 = 1 << 30
    public var resume = false
    /// Replace an existing finished or foreign output folder.
    public var force = false
    public var strict = false
    public var rejectsPath: String?
    /// Exit 0 even when some input files were damaged (their good documents are kept either way).
    public var allowDamagedInputs = false
    public var rank = RankAssignment.single
    public var seed: UInt64 = 0
    public var progress = ProgressSettings()
    /// The older switch over `progress`: false silent, true a bar, nil automatic.
    public var showProgress: Bool? {
        get { progress.show }
        set { progress = ProgressSettings(show: newValue) }
    }
    /// A `filters:` list as FilterRegistry reads it (text filters run on the workers, dedup in
    /// input order on the reader thread, token-length filters after tokenizing).
    public var filters: JSONValue = .array([])
    /// Source mixing and long-document upsampling; needs a counting pass over the inputs.
    public var mix: MixOptions?
    /// Conversations longer than the largest bucket (chat inputs only).
    public var longChats: LongChatPolicy = .drop

    /// True when some input is read as conversations: then every shard gets a `.mask` sidecar.
    public var hasChatInput: Bool { inputs.contains { $0.reader.chat != nil } }

    /// The stage's length policy (pipeline `length-policy:`): documents shorter than this many
    /// tokens (EOS included) are dropped (`dropped.length.below-stage-minimum`), before mixing.
    public var minDocumentTokens: Int?
    /// A floor on the long-token share, checked on what the stage wrote.
    public var longTokenFloor: LongTokenFloor?

    /// A finished `yi-prep dedup` folder: its dropped documents are skipped (corpus-wide dedup).
    public var dropList: String?

    public init(inputs: [InputGroup], outputDirectory: String, tokenizerPath: String, packing: PackingOptions) {
        self.inputs = inputs
        self.outputDirectory = outputDirectory
        self.tokenizerPath = tokenizerPath
        self.packing = packing
    }

    /// The options that decide the output bytes, as recorded in the manifest and hashed into the
    /// run fingerprint (threads, progress and resume flags do not change the output).
    public var outputDefiningJSON: JSONValue {
        let strategy: JSONValue
        switch packing.strategy {
        case .concat: strategy = .object([("name", .string("concat"))])
        case .bestFit(let window):
            switch window {
            case .documents(let n): strategy = .object([("name", .string("best-fit")), ("window_documents", .int(Int64(n)))])
            case .tokens(let n): strategy = .object([("name", .string("best-fit")), ("window_tokens", .int(Int64(n)))])
            }
        }
        var chat: [(String, JSONValue)] = []
        if hasChatInput { chat.append(("long_chats", .string(longChats.rawValue))) }
        var members: [(String, JSONValue)] = [
            ("lengths", .array(packing.lengths.map { .int(Int64($0)) })),
            ("strategy", strategy),
            ("cross_fill", .bool(packing.crossFill)),
            ("cross_fill_limit", .double(packing.crossFillLimit)),
            ("long_docs", .string(packing.longDocuments.rawValue)),
            ("pad_id", .int(Int64(packing.padID))),
            ("max_open_sequences", .int(Int64(packing.maxOpenSequences))),
            ("bos", .bool(addBOS)),
            ("eos", .bool(true)),
            ("shard_tokens", .int(Int64(shardTokens))),
            ("part_bytes", .int(partBytes)),
            ("seed", .int(Int64(bitPattern: seed))),
            ("filters", filters),
            ("mix", mix?.configuration ?? .null),
        ] + chat + (dropList == nil ? [] : [
            // Only with a drop list, so that the fingerprints of runs without one do not change.
            ("drop_list", .string(DropList.fingerprint(atPath: dropList!) ?? dropList!)),
        ]) + [
            ("inputs", .array(inputs.map(\.configuration))),
        ]
        // Only when set, so runs without a length policy keep their fingerprints.
        if let minDocumentTokens { members.append(("min_doc_tokens", .int(Int64(minDocumentTokens)))) }
        return .object(members)
    }
}

/// "At least `share` of each bucket's document tokens come from documents of at least `tokens`
/// tokens" (pipeline `length-policy.min-long-token-share`): a warning when the stage falls
/// below it, a failure (exit 2) with `fail: true` or `--strict`.
public struct LongTokenFloor: Sendable, Equatable {
    public var tokens: Int
    public var share: Double
    public var fail: Bool

    public init(tokens: Int, share: Double, fail: Bool = false) {
        self.tokens = tokens
        self.share = share
        self.fail = fail
    }
}

extension ReaderOptions {
    /// `chat` and `train_on` for a chat input (nothing for plain text, so plain runs' options
    /// and fingerprints are as before).
    var chatJSON: [(String, JSONValue)] {
        guard let chat else { return [] }
        return [("chat", .string(chat.template.rawValue)), ("train_on", .string(chat.trainOn.rawValue))]
    }
}

extension Array where Element == InputGroup {
    /// The groups with each chat input's forbidden literals taken from the tokenizer model.
    func withChatLiterals(from model: SentencePieceModel) -> [InputGroup] {
        guard contains(where: { $0.reader.chat != nil }) else { return self }
        let literals = ChatMasker.forbiddenLiterals(of: model)
        return map { group in
            var group = group
            group.reader.chat?.forbiddenLiterals = literals
            return group
        }
    }
}
