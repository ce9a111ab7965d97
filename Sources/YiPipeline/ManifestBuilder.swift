import YiCore
import YiShards
import YiTokenizer

/// Builds the manifests of a pack run: one per finished part (its completion marker) and the
/// run's `manifest.json`, which joins the parts in order.
struct ManifestBuilder {
    let options: PackOptions
    let model: SentencePieceModel
    let inputs: [InputFile]
    let fingerprint: String
    let unsupported: [String]

    private var base: Manifest {
        let tokenizer = TokenizerInfo(
            path: options.tokenizerPath, sha256: model.sha256, vocabularySize: model.vocabularySize,
            bosID: model.bosID.map(Int.init), eosID: model.eosID.map(Int.init), flags: model.manifestJSON)
        return Manifest(tool: ToolInfo(version: YiPipelineInfo.version), createdBy: "yi-prep pack",
                        options: options.outputDefiningJSON, seed: options.seed, tokenizer: tokenizer,
                        padID: Int(options.packing.padID))
    }

    /// The completion marker of one part.
    func partMarker(part: WorkPart, sources: [String], buckets: [BucketManifest], counters: Counters,
                    damagedFiles: [YiError]) -> Manifest {
        var marker = base
        marker.inputs = Array(inputs[part.inputs])
        marker.sources = sources
        marker.buckets = buckets
        marker.counters = counters
        marker.extra = [
            ("run_fingerprint", .string(fingerprint)),
            ("part", .int(Int64(part.index))),
            ("damaged_files", ManifestBuilder.json(damagedFiles)),
        ]
        return marker
    }

    /// The run's manifest from every part's marker, in part order. Source tables are joined in
    /// order of first appearance; shards whose part numbered its sources differently get a
    /// `source_index_map`.
    func runManifest(parts: [Manifest], partCount: Int) -> Manifest {
        var manifest = base
        manifest.inputs = inputs
        var sourceIndex: [String: Int] = [:]
        var buckets = options.packing.lengths.map { length in
            BucketManifest(sequenceLength: length, dtype: MegatronDType.forVocabulary(size: model.vocabularySize))
        }
        var damaged: [JSONValue] = []
        for part in parts {
            let map = part.sources.map { name -> Int in
                if let i = sourceIndex[name] { return i }
                sourceIndex[name] = manifest.sources.count
                manifest.sources.append(name)
                return manifest.sources.count - 1
            }
            let isIdentity = map.enumerated().allSatisfy { $0.offset == $0.element }
            for bucket in part.buckets {
                guard let n = buckets.firstIndex(where: { $0.sequenceLength == bucket.sequenceLength }) else { continue }
                buckets[n].dtype = bucket.dtype
                buckets[n].shards += bucket.shards.map { shard in
                    var shard = shard
                    shard.sourceIndexMap = isIdentity ? nil : map
                    return shard
                }
            }
            manifest.counters.merge(part.counters)
            if case .array(let items)? = part.extra.first(where: { $0.0 == "damaged_files" })?.1 { damaged += items }
        }
        manifest.buckets = buckets
        manifest.extra = [
            ("run_fingerprint", .string(fingerprint)),
            ("parts", .int(Int64(partCount))),
            ("damaged_files", .array(damaged)),
            ("unsupported_inputs", .array(unsupported.map { .string($0) })),
        ]
        return manifest
    }

    /// Damaged files recorded in a marker, back as errors (for the exit status of a resumed run).
    static func damagedFiles(in marker: Manifest) -> [YiError] {
        guard case .array(let items)? = marker.extra.first(where: { $0.0 == "damaged_files" })?.1 else { return [] }
        return items.map {
            YiError(.corruptInput, $0["message"]?.stringValue ?? "damaged",
                    context: .init(path: $0["path"]?.stringValue, byteOffset: $0["byte_offset"]?.intValue))
        }
    }

    static func json(_ errors: [YiError]) -> JSONValue {
        .array(errors.map { error in
            var members: [(String, JSONValue)] = [("path", .string(error.context.path ?? ""))]
            if let offset = error.context.byteOffset { members.append(("byte_offset", .int(offset))) }
            members.append(("message", .string(error.message)))
            return .object(members)
        })
    }
}

public enum YiPipelineInfo {
    /// Recorded in manifests; keep in step with the CLI's `--version`.
    public static let version = "0.1.0"
}
