import YiCore

// The manifest's JSON shape (documented key by key in docs/formats.md). Derived totals are
// written for people reading the file and ignored when reading it back.

extension Manifest {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("format", .string(Manifest.formatName)),
            ("format_version", .int(Int64(writtenFormatVersion))),
            ("tool", .object([("name", .string(tool.name)), ("version", .string(tool.version))])),
            ("created_by", .string(createdBy)),
            ("options", options),
        ]
        if let seed { members.append(("seed", seed <= UInt64(Int64.max) ? .int(Int64(seed)) : .string(String(seed)))) }
        if let tokenizer { members.append(("tokenizer", tokenizer.json)) }
        if let padID { members.append(("pad_id", .int(Int64(padID)))) }
        members.append(("inputs", .array(inputs.map(\.json))))
        members.append(("input_bytes", .int(inputs.reduce(0) { $0 + $1.bytes })))
        members.append(("sources", .array(sources.map { .string($0) })))
        members.append(("buckets", .array(buckets.map(\.json))))
        members.append(("counters", counters.json))
        if !extra.isEmpty { members.append(("extra", .object(extra))) }
        return .object(members)
    }

    init(json: JSONValue, path: String) throws {
        let root = ManifestField(value: json, name: "", path: path)
        let format = try root.member("format").string()
        guard format == Manifest.formatName else {
            throw root.member("format").failure("is \"\(format)\", expected \"\(Manifest.formatName)\"")
        }
        let version = try root.member("format_version").int()
        guard version >= 1 && version <= Manifest.maskFormatVersion else {
            throw root.member("format_version").failure("is \(version); this yi-prep reads versions 1 and \(Manifest.maskFormatVersion)")
        }
        let toolField = root.member("tool")
        tool = ToolInfo(name: try toolField.member("name").string(), version: try toolField.member("version").string())
        createdBy = try root.member("created_by").string()
        options = root.optional("options")?.value ?? .object([])
        if let seedField = root.optional("seed") {
            if case .string(let text) = seedField.value, let value = UInt64(text) {
                seed = value
            } else {
                let value = try seedField.int()
                guard value >= 0 else { throw seedField.failure("must not be negative") }
                seed = UInt64(value)
            }
        } else {
            seed = nil
        }
        tokenizer = try root.optional("tokenizer").map { try TokenizerInfo(field: $0) }
        padID = try root.optional("pad_id")?.int()
        inputs = try root.member("inputs").array().map {
            InputFile(path: try $0.member("path").string(), bytes: Int64(try $0.member("bytes").int()),
                      start: try $0.optional("start").map { Int64(try $0.int()) }, end: try $0.optional("end").map { Int64(try $0.int()) })
        }
        sources = try root.member("sources").array().map { try $0.string() }
        buckets = try root.member("buckets").array().map { try BucketManifest(field: $0) }
        var counters = Counters()
        for (name, field) in try root.member("counters").object() { counters.add(name, try field.int()) }
        self.counters = counters
        extra = try root.optional("extra")?.object().map { ($0.0, $0.1.value ?? .null) } ?? []
    }
}

extension InputFile {
    /// `start`/`end` appear only for slices, so manifests of unsliced runs are unchanged.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("path", .string(path)), ("bytes", .int(bytes))]
        if let start { members.append(("start", .int(start))) }
        if let end { members.append(("end", .int(end))) }
        return .object(members)
    }
}

extension TokenizerInfo {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("path", .string(path)),
            ("sha256", .string(sha256)),
            ("vocab_size", .int(Int64(vocabularySize))),
        ]
        if let bosID { members.append(("bos_id", .int(Int64(bosID)))) }
        if let eosID { members.append(("eos_id", .int(Int64(eosID)))) }
        members.append(("flags", flags))
        return .object(members)
    }

    init(field: ManifestField) throws {
        path = try field.member("path").string()
        sha256 = try field.member("sha256").string()
        vocabularySize = try field.member("vocab_size").int()
        bosID = try field.optional("bos_id")?.int()
        eosID = try field.optional("eos_id")?.int()
        flags = field.optional("flags")?.value ?? .object([])
    }
}

extension BucketManifest {
    var json: JSONValue {
        .object([
            ("sequence_length", .int(Int64(sequenceLength))),
            ("directory", .string(directory)),
            ("dtype", .string(dtype.name)),
            ("dtype_code", .int(Int64(dtype.rawValue))),
            ("sequences", .int(Int64(sequences))),
            ("tokens", .int(Int64(tokens))),
            ("pad_tokens", .int(Int64(padTokens))),
            ("fill_ratio", .double(roundedRatio(fill))),
            ("spans", .int(Int64(spans))),
            ("document_ends", .int(Int64(documentEnds))),
            ("split_documents", .int(Int64(splitDocuments))),
        ] + (lossMask ? [("loss_mask", .bool(true))] : []) + [
            ("shards", .array(shards.map(\.json))),
        ])
    }

    init(field: ManifestField) throws {
        sequenceLength = try field.member("sequence_length").int()
        directory = try field.member("directory").string()
        let dtypeName = try field.member("dtype").string()
        guard let dtype = MegatronDType(name: dtypeName) else { throw field.member("dtype").failure("unknown dtype \"\(dtypeName)\"") }
        self.dtype = dtype
        shards = try field.member("shards").array().map { try ShardInfo(field: $0) }
        if case .bool(let flag)? = field.optional("loss_mask")?.value { lossMask = flag } else { lossMask = false }
    }
}

extension ShardInfo {
    var json: JSONValue {
        func digest(_ d: FileDigest) -> JSONValue { .object([("bytes", .int(d.bytes)), ("sha256", .string(d.sha256))]) }
        return .object([
            ("name", .string(name)),
            ("sequences", .int(Int64(sequences))),
            ("tokens", .int(Int64(tokens))),
            ("pad_tokens", .int(Int64(padTokens))),
            ("spans", .int(Int64(spans))),
            ("document_ends", .int(Int64(documentEnds))),
            ("split_documents", .int(Int64(splitDocuments))),
            ("files", .object([("bin", digest(bin)), ("idx", digest(idx)), ("docs", digest(docs))]
                              + (mask.map { [("mask", digest($0))] } ?? []))),
        ] + (sourceIndexMap.map { [("source_index_map", .array($0.map { .int(Int64($0)) }))] } ?? []))
    }

    init(field: ManifestField) throws {
        func digest(_ f: ManifestField) throws -> FileDigest {
            FileDigest(bytes: Int64(try f.member("bytes").int()), sha256: try f.member("sha256").string())
        }
        let files = field.member("files")
        self.init(name: try field.member("name").string(),
                  sequences: try field.member("sequences").int(),
                  tokens: try field.member("tokens").int(),
                  padTokens: try field.member("pad_tokens").int(),
                  spans: try field.member("spans").int(),
                  documentEnds: try field.member("document_ends").int(),
                  splitDocuments: try field.member("split_documents").int(),
                  bin: try digest(files.member("bin")),
                  idx: try digest(files.member("idx")),
                  docs: try digest(files.member("docs")))
        sourceIndexMap = try field.optional("source_index_map")?.array().map { try $0.int() }
        mask = try files.optional("mask").map { try digest($0) }
    }
}

/// Ratios are written with 6 decimals so that the text does not depend on float printing.
func roundedRatio(_ value: Double) -> Double {
    (value * 1_000_000).rounded() / 1_000_000
}

/// A value inside the manifest with its dotted location, for precise error messages.
struct ManifestField {
    let value: JSONValue?
    let name: String
    let path: String

    func failure(_ message: String) -> YiError {
        YiError(.corruptInput, "manifest field \(name.isEmpty ? "(root)" : name) \(message)", context: .init(path: path))
    }

    func member(_ key: String) -> ManifestField {
        ManifestField(value: value?[key], name: name.isEmpty ? key : name + "." + key, path: path)
    }

    func optional(_ key: String) -> ManifestField? {
        guard let inner = value?[key], inner != .null else { return nil }
        return ManifestField(value: inner, name: name.isEmpty ? key : name + "." + key, path: path)
    }

    private func present() throws -> JSONValue {
        guard let value else { throw failure("is missing") }
        return value
    }

    func string() throws -> String {
        guard let s = try present().stringValue else { throw failure("must be a string") }
        return s
    }

    func int() throws -> Int {
        guard case .int(let i) = try present() else { throw failure("must be an integer") }
        return Int(i)
    }

    func array() throws -> [ManifestField] {
        guard case .array(let items) = try present() else { throw failure("must be an array") }
        return items.enumerated().map { ManifestField(value: $0.element, name: "\(name)[\($0.offset)]", path: path) }
    }

    func object() throws -> [(String, ManifestField)] {
        guard case .object(let members) = try present() else { throw failure("must be an object") }
        return members.map { ($0.0, ManifestField(value: $0.1, name: name + "." + $0.0, path: path)) }
    }
}
