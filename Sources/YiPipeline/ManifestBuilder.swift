import YiCore
import YiShards
import YiTokenizer

/// Builds the manifests of a pack run: one per finished part (its completion marker) and the
/// run's `manifest.json`, which joins the parts in order.
struct ManifestBuilder {
    let inputs: [InputFile]
    let fingerprint: String
    let unsupported: [String]
    /// What every manifest of the run shares; built once (the model's sha256 hashes its file).
    private let base: Manifest

    init(options: PackOptions, model: SentencePieceModel, inputs: [InputFile], fingerprint: String, unsupported: [String]) {
        self.inputs = inputs
        self.fingerprint = fingerprint
        self.unsupported = unsupported
        let tokenizer = TokenizerInfo(
            path: options.tokenizerPath, sha256: model.sha256, vocabularySize: model.vocabularySize,
            bosID: model.bosID.map(Int.init), eosID: model.eosID.map(Int.init), flags: model.manifestJSON)
        base = Manifest(tool: ToolInfo(version: YiPipelineInfo.version), createdBy: "yi-prep pack",
                        options: options.outputDefiningJSON, seed: options.seed, tokenizer: tokenizer,
                        padID: Int(options.packing.padID))
    }

    /// The completion marker of one part.
    func partMarker(part: WorkPart, partCount: Int, sources: [String], buckets: [BucketManifest], counters: Counters,
                    damagedFiles: [YiError], dedup: [JSONValue], mix: JSONValue?) -> Manifest {
        var marker = base
        marker.inputs = Array(inputs[part.inputs])
        marker.sources = sources
        marker.buckets = buckets
        marker.counters = counters
        marker.extra = [
            ("run_fingerprint", .string(fingerprint)),
            ("part", .int(Int64(part.index))),
            ("parts", .int(Int64(partCount))),
            ("damaged_files", ManifestBuilder.json(damagedFiles)),
            ("unsupported_inputs", .array(unsupported.map { .string($0) })),
            ("dedup", .array(dedup)),
            ("mix_plan", mix ?? .null),
        ]
        return marker
    }

    /// The run's manifest from every part's marker, in part order; needs nothing but the markers,
    /// so `yi-prep merge` can build it after a distributed run. Source tables are joined in order
    /// of first appearance; shards whose part numbered its sources differently get a
    /// `source_index_map`.
    static func runManifest(markers: [Manifest]) -> Manifest {
        precondition(!markers.isEmpty, "a run has at least one part")
        var manifest = markers[0]
        manifest.inputs = markers.flatMap(\.inputs)
        manifest.sources = []
        manifest.counters = Counters()
        var sourceIndex: [String: Int] = [:]
        var buckets = markers[0].buckets.map { bucket -> BucketManifest in
            var joined = BucketManifest(sequenceLength: bucket.sequenceLength, dtype: bucket.dtype)
            joined.lossMask = bucket.lossMask
            return joined
        }
        var damaged: [JSONValue] = []
        var dedup: [JSONValue] = []
        var provenance: [JSONValue] = []
        for marker in markers {
            let map = marker.sources.map { name -> Int in
                if let i = sourceIndex[name] { return i }
                sourceIndex[name] = manifest.sources.count
                manifest.sources.append(name)
                return manifest.sources.count - 1
            }
            let isIdentity = map.enumerated().allSatisfy { $0.offset == $0.element }
            for bucket in marker.buckets {
                guard let n = buckets.firstIndex(where: { $0.sequenceLength == bucket.sequenceLength }) else { continue }
                buckets[n].shards += bucket.shards.map { shard in
                    var shard = shard
                    shard.sourceIndexMap = isIdentity ? nil : map
                    return shard
                }
            }
            manifest.counters.merge(marker.counters)
            if case .array(let items)? = extra(marker, "damaged_files") { damaged += items }
            if let entry = extra(marker, "provenance"), entry != .null { provenance.append(entry) }
            if case .array(let items)? = extra(marker, "dedup"), !items.isEmpty {
                dedup.append(.object([("part", extra(marker, "part") ?? .null), ("filters", .array(items))]))
            }
        }
        manifest.buckets = buckets
        manifest.extra = [
            ("run_fingerprint", extra(markers[0], "run_fingerprint") ?? .null),
            ("parts", .int(Int64(markers.count))),
            ("damaged_files", .array(damaged)),
            ("unsupported_inputs", extra(markers[0], "unsupported_inputs") ?? .array([])),
            ("dedup", .array(dedup)),
            ("mix_plan", extra(markers[0], "mix_plan") ?? .null),
        ]
        // Added after the older keys so manifests without provenance keep their shape.
        if !provenance.isEmpty { manifest.extra.append(("provenance", .array(provenance))) }
        return manifest
    }

    static func extra(_ manifest: Manifest, _ key: String) -> JSONValue? {
        manifest.extra.first { $0.0 == key }?.1
    }

    /// Damaged files recorded in a marker, back as errors (for the exit status of a resumed run).
    static func damagedFiles(in marker: Manifest) -> [YiError] {
        guard case .array(let items)? = extra(marker, "damaged_files") else { return [] }
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
