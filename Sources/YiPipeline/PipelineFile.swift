import Foundation
import YiCore
import YiFilters
import YiPacking
import YiReaders

/// A pipeline file (`pipelines/*.yaml`, docs/pipelines.md) turned into the stages to run.
///
/// Top-level keys are the defaults of every stage; a `stages:` list overrides them per stage
/// (mappings are merged key by key, lists and values replaced). Every mistake is reported as
/// `file: line:column: key.path: problem`.
public struct PipelineFile {
    public struct Stage {
        public var name: String
        public var options: PackOptions
        /// The stage's configuration as written (after merging), for the manifest.
        public var configuration: JSONValue
    }

    public var name: String
    public var stages: [Stage]

    /// Command-line values that win over the file.
    public struct Overrides {
        public var tokenizerPath: String?
        public var outputDirectory: String?
        public var lengths: [Int]?
        public var threads: Int?
        public init() {}
    }

    static let stageKeys = ["name", "description", "seed", "tokenizer", "inputs", "filters", "mix", "packing", "output", "length-policy", "dedup"]

    /// - Parameter resolveTokenizer: turns the file's `tokenizer.path` (or nil) into a model path
    ///   by the usual search order.
    public static func load(path: String, overrides: Overrides = Overrides(),
                            resolveTokenizer: (String?) throws -> String) throws -> PipelineFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw YiError(.usage, "cannot read pipeline file", context: .init(path: path), cause: "\(error)")
        }
        let root = try ConfigNode.parse(yaml: text, file: path)
        try root.checkKeys(stageKeys + ["stages"])
        let baseDirectory = (path as NSString).deletingLastPathComponent
        let name = try root["name"]?.string() ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension

        var stageNodes: [(String, [(String, ConfigNode)])] = []
        let defaults = try root.map().filter { $0.0 != "stages" }
        if let stages = root["stages"] {
            for (n, stage) in try stages.list().enumerated() {
                try stage.checkKeys(stageKeys)
                let stageName = try stage["name"]?.string() ?? "stage-\(n + 1)"
                stageNodes.append((stageName, merge(defaults, try stage.map())))
            }
            if stageNodes.isEmpty { throw stages.error("a pipeline needs at least one stage") }
        } else {
            stageNodes.append((name, defaults))
        }
        let stages = try stageNodes.map { stageName, members in
            try makeStage(name: stageName, members: members, root: root, baseDirectory: baseDirectory,
                          overrides: overrides, resolveTokenizer: resolveTokenizer)
        }
        if Set(stages.map(\.options.outputDirectory)).count != stages.count {
            throw root.error("every stage needs its own output.dir")
        }
        return PipelineFile(name: name, stages: stages)
    }

    /// Stage values win; nested mappings merge.
    private static func merge(_ base: [(String, ConfigNode)], _ stage: [(String, ConfigNode)]) -> [(String, ConfigNode)] {
        var result = base
        for (key, node) in stage {
            if let i = result.firstIndex(where: { $0.0 == key }) {
                if case .map(let baseMembers) = result[i].1.value, case .map(let stageMembers) = node.value {
                    var merged = node
                    merged.value = .map(merge(baseMembers, stageMembers))
                    result[i].1 = merged
                } else {
                    result[i].1 = node
                }
            } else {
                result.append((key, node))
            }
        }
        return result
    }

    private static func makeStage(name: String, members: [(String, ConfigNode)], root: ConfigNode, baseDirectory: String,
                                  overrides: Overrides, resolveTokenizer: (String?) throws -> String) throws -> Stage {
        func node(_ key: String) -> ConfigNode? { members.first { $0.0 == key }?.1 }
        func relative(_ path: String) -> String {
            path.hasPrefix("/") || baseDirectory.isEmpty ? path : (baseDirectory as NSString).appendingPathComponent(path)
        }

        // Inputs, each with its reading options and an optional mixing weight.
        guard let inputsNode = node("inputs") else { throw root.error("inputs: required (files, folders or globs to read)") }
        var groups: [InputGroup] = []
        var weights: [String: Double] = [:]
        for item in try inputsNode.list() {
            if case .scalar = item.value {
                groups.append(InputGroup(paths: [relative(try item.string())]))
                continue
            }
            try item.checkKeys(["path", "paths", "source", "source-field", "text-field", "id-field", "weight", "namespaces", "wikitext",
                                "chat", "train-on"])
            var paths = try item["paths"]?.list().map { relative(try $0.string()) } ?? []
            if let single = item["path"] { paths.append(relative(try single.string())) }
            if paths.isEmpty { throw item.error("an input needs path or paths") }
            var reader = ReaderOptions()
            if let v = item["text-field"] { reader.textField = try v.string() }
            if let v = item["id-field"] { reader.idField = try v.string() }
            if let v = item["source-field"] { reader.sourceField = v.isNull ? nil : try v.string() }
            if let v = item["source"] { reader.sourceName = try v.string() }
            if let v = item["namespaces"] { reader.namespaces = Set(try v.listOrSingle().map { try $0.int() }) }
            if let v = item["wikitext"] { reader.wikitext = WikitextMode(rawValue: try v.choice(["plain", "raw"]))! }
            if let v = item["chat"], !v.isNull {
                reader.chat = ChatOptions(template: ChatTemplate(rawValue: try v.choice(ChatTemplate.allCases.map(\.rawValue)))!)
            }
            if let v = item["train-on"] {
                guard reader.chat != nil else { throw v.error("train-on needs chat: yi on the same input") }
                reader.chat?.trainOn = ChatTrainOn(rawValue: try v.choice(ChatTrainOn.allCases.map(\.rawValue)))!
            }
            if let w = item["weight"] {
                guard let source = reader.sourceName else { throw w.error("a weight needs a fixed source name (source: NAME) on the same input") }
                weights[source, default: 0] += try w.double()
            }
            groups.append(InputGroup(paths: paths, reader: reader))
        }

        // Packing.
        var lengths = [16384]
        var strategyName = "best-fit"
        var windowTokens: Int?
        var crossFill = true
        var longDocuments = PackingOptions.LongDocuments.split
        var padID: TokenID = 0
        var shardTokens = 1 << 30
        var partBytes: Int64 = 1 << 30
        var longChats = LongChatPolicy.drop
        if let packing = node("packing") {
            try packing.checkKeys(["lengths", "strategy", "window-tokens", "cross-fill", "long-docs", "pad-id", "shard-tokens", "part-bytes",
                                   "long-chats"])
            if let v = packing["long-chats"] { longChats = LongChatPolicy(rawValue: try v.choice(LongChatPolicy.allCases.map(\.rawValue)))! }
            if let v = packing["lengths"] { lengths = try v.listOrSingle().map { try $0.int() } }
            if let v = packing["strategy"] { strategyName = try v.choice(["best-fit", "concat"]) }
            if let v = packing["window-tokens"] { windowTokens = try v.int() }
            if let v = packing["cross-fill"] { crossFill = try v.bool() }
            if let v = packing["long-docs"] { longDocuments = .init(rawValue: try v.choice(["split", "drop"]))! }
            if let v = packing["pad-id"] { padID = TokenID(try v.int(in: 0...Int(TokenID.max))) }
            if let v = packing["shard-tokens"] { shardTokens = try v.int(in: 1...Int.max) }
            if let v = packing["part-bytes"] { partBytes = Int64(try v.int(in: 1...Int.max)) }
        }
        if let override = overrides.lengths { lengths = override }
        let strategy: PackingOptions.Strategy = strategyName == "concat" ? .concat
            : windowTokens.map { .bestFit(window: .tokens($0)) } ?? PackingOptions.defaultBestFit(lengths: lengths)
        let packing: PackingOptions
        do {
            packing = try PackingOptions(lengths: lengths, strategy: strategy, crossFill: crossFill,
                                         longDocuments: longDocuments, padID: padID).validated()
        } catch let error as YiError {
            throw (node("packing") ?? root).error(error.message)
        }

        // Tokenizer and output.
        var tokenizerPath = overrides.tokenizerPath
        var addBOS = false
        if let tokenizer = node("tokenizer") {
            try tokenizer.checkKeys(["path", "bos"])
            if tokenizerPath == nil, let p = tokenizer["path"], !p.isNull { tokenizerPath = relative(try p.string()) }
            if let b = tokenizer["bos"] { addBOS = try b.bool() }
        }
        guard let outputNode = node("output") else { throw root.error("output: required (output: {dir: FOLDER})") }
        try outputNode.checkKeys(["dir", "rejects"])
        guard let dirNode = outputNode["dir"] else { throw outputNode.error("dir: required") }
        var outputDirectory = relative(try dirNode.string())
        if let override = overrides.outputDirectory {
            outputDirectory = (override as NSString).appendingPathComponent((outputDirectory as NSString).lastPathComponent)
        }

        var options = PackOptions(inputs: groups, outputDirectory: outputDirectory,
                                  tokenizerPath: try resolveTokenizer(tokenizerPath), packing: packing)
        options.addBOS = addBOS
        options.longChats = longChats
        options.shardTokens = shardTokens
        options.partBytes = partBytes
        if let threads = overrides.threads { options.threads = threads }
        if let rejects = outputNode["rejects"], !rejects.isNull {
            // Belongs to the output: with --out it moves beside the stage folders, like them.
            let path = relative(try rejects.string())
            options.rejectsPath = overrides.outputDirectory.map {
                ($0 as NSString).appendingPathComponent((path as NSString).lastPathComponent)
            } ?? path
        }
        if let seed = node("seed") { options.seed = UInt64(try seed.int(in: 0...Int.max)) }

        // Filters and mixing are validated here, with errors pointing into the file.
        if let filters = node("filters") {
            options.filters = filters.json
            do {
                _ = try FilterRegistry.standard.makeList(filters.json, path: filters.path)
            } catch let error as ConfigurationError {
                throw root.locate(error)
            }
        }
        if let mix = node("mix") {
            do {
                var reader = try ConfigurationReader(mix.json, path: mix.path)
                var mixOptions = try MixOptions(configuration: &reader)
                try reader.finish()
                if mixOptions.weights == nil && !weights.isEmpty { mixOptions.weights = weights }
                if mix["seed"] == nil { mixOptions.seed = options.seed }
                options.mix = mixOptions
            } catch let error as ConfigurationError {
                throw root.locate(error)
            }
        } else if !weights.isEmpty {
            var mixOptions = MixOptions(weights: weights)
            mixOptions.seed = options.seed
            options.mix = mixOptions
        }
        if let policy = node("length-policy") {
            try readLengthPolicy(policy, into: &options)
        }
        // Corpus-wide dedup: the drop list of a finished `yi-prep dedup` run (docs/dedup.md).
        if let dedup = node("dedup"), !dedup.isNull {
            try dedup.checkKeys(["drop-list"])
            guard let dropList = dedup["drop-list"] else { throw dedup.error("dedup needs drop-list: the folder of a finished `yi-prep dedup` run") }
            options.dropList = relative(try dropList.string())
        }
        let configuration = JSONValue.object(members.map { ($0.0, $0.1.json) })
        return Stage(name: name, options: options, configuration: configuration)
    }
}

extension PipelineFile {
    /// `length-policy: {min-doc-tokens: N, min-long-token-share: {tokens: T, share: S, fail: B}}`.
    static func readLengthPolicy(_ policy: ConfigNode, into options: inout PackOptions) throws {
        try policy.checkKeys(["min-doc-tokens", "min-long-token-share"])
        if let v = policy["min-doc-tokens"], !v.isNull {
            let n = try v.int()
            guard n >= 1 else { throw v.error("min-doc-tokens must be ≥ 1 token (got \(n))") }
            if n > options.packing.lengths.max()! && options.packing.longDocuments == .drop {
                throw v.error("min-doc-tokens \(n) is above the longest bucket and long-docs is drop: nothing would be kept")
            }
            options.minDocumentTokens = n
        }
        if let floor = policy["min-long-token-share"], !floor.isNull {
            try floor.checkKeys(["tokens", "share", "fail"])
            guard let tokensNode = floor["tokens"] else { throw floor.error("tokens: required (the document length, e.g. 4096)") }
            guard let shareNode = floor["share"] else { throw floor.error("share: required (a fraction in (0, 1], e.g. 0.6)") }
            let tokens = try tokensNode.int()
            guard tokens >= 1 else { throw tokensNode.error("tokens must be ≥ 1 (got \(tokens))") }
            let share = try shareNode.double()
            guard share > 0, share <= 1 else { throw shareNode.error("share must be in (0, 1] (got \(share))") }
            options.longTokenFloor = LongTokenFloor(tokens: tokens, share: share, fail: try floor["fail"]?.bool() ?? false)
        }
    }
}

extension ConfigNode {
    /// The node at a dotted/indexed path (`filters[2].gopher.min-words`), or the deepest one
    /// that exists on the way.
    func deepest(atPath path: String) -> ConfigNode {
        var current = self
        var rest = Substring(path)
        while !rest.isEmpty {
            if rest.hasPrefix(".") { rest = rest.dropFirst() }
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                      case .list(let items) = current.value, index < items.count else { return current }
                current = items[index]
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex(where: { $0 == "." || $0 == "[" }) ?? rest.endIndex
                guard let child = current[String(rest[..<end])] else { return current }
                current = child
                rest = rest[end...]
            }
        }
        return current
    }

    /// A stage library's configuration error, placed at its line and column in the file.
    func locate(_ error: ConfigurationError) -> YiError {
        let node = deepest(atPath: error.path)
        return YiError(.usage, "\(node.line):\(node.column): \(error.description)", context: .init(path: file))
    }
}
