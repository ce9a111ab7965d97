import Foundation
import YiChecksum
import YiCore
import YiFilters
import YiReaders

/// `yi-prep dedup`: corpus-wide exact and near deduplication in three resumable passes
/// (`CorpusDedupPass`), distributed like `pack`: every rank computes the same plan, takes its
/// share of each pass's work units, and marks each finished unit with a file. A pass starts
/// when every unit of the previous one is marked; a rank running all passes polls for that. The
/// clusters pass runs on rank 0. The result (`drop/`, `drop-list.json`) depends only on the
/// inputs and result-defining options, never on ranks, threads or memory.
public final class CorpusDedupJob {
    public let options: CorpusDedupOptions
    private let log: @Sendable (String) -> Void

    public init(options: CorpusDedupOptions, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.log = log
    }

    public struct Summary: Sendable {
        /// The finished `drop-list.json`, nil when this rank did not run the clusters pass.
        public var dropList: JSONValue?
        public var unitsRun: [CorpusDedupPass: Int] = [:]
        public var unitsSkipped: [CorpusDedupPass: Int] = [:]
    }

    public func run() throws -> Summary {
        guard options.exact != nil || options.near != nil else {
            throw YiError(.usage, "nothing to do: pass --exact, --near or both")
        }
        guard options.keyShards >= 1 else { throw YiError(.usage, "--key-shards must be at least 1") }
        let plan = try InputPlan.make(groups: options.inputs, partBytes: options.partBytes,
                                      excluding: [options.outputDirectory])
        for skipped in plan.unsupported { log("skipping \(skipped.path): \(skipped.reason)") }
        guard !plan.inputs.isEmpty else {
            throw YiError(.usage, "no readable inputs in \(options.inputs.flatMap(\.paths).joined(separator: ", "))")
        }
        if options.force && options.rank.worldSize > 1 {
            throw YiError(.usage, "--force with several ranks would let every rank clear the others' work: empty the folder once before starting the ranks")
        }
        let fingerprint = Self.fingerprint(options: options, inputs: plan.inputs.map(\.0))
        let folder = DedupFolder(path: options.outputDirectory)
        try folder.prepare(fingerprint: fingerprint, force: options.force)
        var summary = Summary()

        // Pass 1: signatures, per work part.
        if options.onlyPass == nil || options.onlyPass == .signatures {
            let rejects = try RejectLog(strict: false, rejectsPath: nil)
            for part in options.rank.select(plan.parts, size: { $0.bytes }) {
                if folder.marker(.signatures, part.name, fingerprint: fingerprint) != nil {
                    summary.unitsSkipped[.signatures, default: 0] += 1
                    continue
                }
                let members = try DedupSignaturePass(part: part, inputs: Array(plan.inputs[part.inputs]), options: options,
                                                     folder: folder, rejects: rejects, log: log).run()
                try folder.writeMarker(.signatures, part.name, fingerprint: fingerprint, members)
                summary.unitsRun[.signatures, default: 0] += 1
            }
        }

        // Pass 2: buckets, per key shard.
        var shards: [KeyShard] = []
        if options.exact != nil { shards += (0..<options.keyShards).map { KeyShard(kind: .exact, index: $0) } }
        if options.near != nil { shards += (0..<options.keyShards).map { KeyShard(kind: .near, index: $0) } }
        if options.onlyPass == nil || options.onlyPass == .buckets {
            try awaitUnits(.signatures, plan.parts.map(\.name), folder: folder, fingerprint: fingerprint)
            for shard in options.rank.select(shards, size: { _ in 1 }) {
                if folder.marker(.buckets, shard.name, fingerprint: fingerprint) != nil {
                    summary.unitsSkipped[.buckets, default: 0] += 1
                    continue
                }
                let members = try DedupBucketPass(shard: shard, partCount: plan.parts.count, options: options, folder: folder).run()
                try folder.writeMarker(.buckets, shard.name, fingerprint: fingerprint, members)
                summary.unitsRun[.buckets, default: 0] += 1
            }
        }

        // Pass 3: clusters and the drop list, on rank 0.
        if (options.onlyPass == nil && options.rank.rank == 0) || options.onlyPass == .clusters {
            if let done = try? JSONParser.parse(String(contentsOfFile: folder.dropListPath, encoding: .utf8)),
               done["fingerprint"]?.stringValue == fingerprint {
                summary.unitsSkipped[.clusters, default: 0] += 1
                summary.dropList = done
                return summary
            }
            try awaitUnits(.buckets, shards.map(\.name), folder: folder, fingerprint: fingerprint)
            let result = try DedupClusterPass(parts: plan.parts, inputs: plan.inputs, shards: shards, options: options,
                                              folder: folder, fingerprint: fingerprint).run()
            let dropList = dropListIndex(result, plan: plan, folder: folder, fingerprint: fingerprint)
            try AtomicFileWriter.write(JSONWriter.string(dropList, pretty: true) + "\n", to: folder.dropListPath)
            summary.unitsRun[.clusters, default: 0] += 1
            summary.dropList = dropList
        }
        return summary
    }

    /// Waits until every unit of `pass` is marked done: polling when this rank runs all passes,
    /// a usage error when it was asked for one pass only (the job steps are out of order).
    private func awaitUnits(_ pass: CorpusDedupPass, _ names: [String], folder: DedupFolder, fingerprint: String) throws {
        var missing = names.filter { folder.marker(pass, $0, fingerprint: fingerprint) == nil }
        guard !missing.isEmpty else { return }
        if options.onlyPass != nil {
            throw YiError(.usage, "the \(pass.rawValue) pass is unfinished (\(missing.count) of \(names.count) units, first \(missing[0])): run it on every rank first")
        }
        log("waiting for other ranks: \(missing.count) of \(names.count) \(pass.rawValue) units unfinished")
        while !missing.isEmpty {
            Thread.sleep(forTimeInterval: options.pollSeconds)
            missing = missing.filter { folder.marker(pass, $0, fingerprint: fingerprint) == nil }
        }
    }

    private func dropListIndex(_ result: DropListSummary, plan: InputPlan, folder: DedupFolder, fingerprint: String) -> JSONValue {
        // Documents per source come from the signatures markers (every document is counted there).
        var documentsBySource: [String: Int] = [:]
        for part in plan.parts {
            if case .object(let sources)? = folder.marker(.signatures, part.name, fingerprint: fingerprint)?["sources"] {
                for (name, count) in sources { documentsBySource[name, default: 0] += Int(count.intValue ?? 0) }
            }
        }
        let sources: [(String, JSONValue)] = documentsBySource.keys.sorted().map { name in
            (name, .object([("documents", .int(Int64(documentsBySource[name]!))),
                            ("dropped", .int(Int64(result.droppedBySource[name] ?? 0)))]))
        }
        return .object([
            ("format", .string(DropList.formatName)),
            ("version", .int(1)),
            ("fingerprint", .string(fingerprint)),
            ("keep", .string("first-in-input-order")),
            ("options", options.resultDefiningJSON),
            ("documents", .int(Int64(result.documents))),
            ("dropped", .int(Int64(result.dropped))),
            ("dropped_exact", .int(Int64(result.droppedExact))),
            ("dropped_near", .int(Int64(result.dropped - result.droppedExact))),
            ("clusters", .int(Int64(result.clusters))),
            ("sources", .object(sources)),
            ("inputs", .array(plan.inputs.map { input, _ in
                .array([.string(input.path), .int(input.size)] + (input.range.map { [.int($0.start), .int($0.end)] } ?? []))
            })),
            ("parts", .array(result.parts)),
        ])
    }

    static func fingerprint(options: CorpusDedupOptions, inputs: [DiscoveredInput]) -> String {
        let value: JSONValue = .object([
            ("options", options.resultDefiningJSON),
            ("inputs", .array(inputs.map { input in
                .array([.string(input.path), .int(input.size)] + (input.range.map { [.int($0.start), .int($0.end)] } ?? []))
            })),
        ])
        return SHA256.hex(of: Array(JSONWriter.string(value).utf8))
    }
}
