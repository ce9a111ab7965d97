import Foundation
import YiChecksum
import YiCore
import YiFilters
import YiReaders

/// `yi-prep dedup`: corpus-wide exact and near deduplication in three resumable passes
/// (`CorpusDedupPass`), distributed like `pack`: every rank computes the same plan, takes its
/// share of each pass's work units, and marks each finished unit with a file. A pass starts
/// when every unit of the previous one is marked; a rank running all passes polls for that. The
/// clusters pass is itself a sequence of such steps (`DedupClusterPass`); rank 0 writes
/// `drop-list.json` when all are done. The result (`drop/`, `drop-list.json`) depends only on the
/// inputs and result-defining options, never on ranks, threads or memory.
public final class CorpusDedupJob {
    public let options: CorpusDedupOptions
    private let log: @Sendable (String) -> Void

    public init(options: CorpusDedupOptions, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.log = log
    }

    public struct Summary: Sendable {
        /// The finished `drop-list.json`, nil when this rank did not write it (ranks other than 0).
        public var dropList: JSONValue?
        public var unitsRun: [CorpusDedupPass: Int] = [:]
        public var unitsSkipped: [CorpusDedupPass: Int] = [:]
    }

    public func run() throws -> Summary {
        guard options.exact != nil || options.near != nil else {
            throw YiError(.usage, "nothing to do: pass --exact, --near or both")
        }
        guard (1...CorpusDedupOptions.maxKeyShards).contains(options.keyShards) else {
            throw YiError(.usage, "--key-shards must be in 1...\(CorpusDedupOptions.maxKeyShards) (got \(options.keyShards))")
        }
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

        // Pass 3: clusters and the drop list, every rank its share of each step; rank 0 writes
        // the index last.
        if options.onlyPass == nil || options.onlyPass == .clusters {
            if let done = try? JSONParser.parse(String(contentsOfFile: folder.dropListPath, encoding: .utf8)),
               done["fingerprint"]?.stringValue == fingerprint {
                summary.unitsSkipped[.clusters, default: 0] += 1
                summary.dropList = done
                if options.rank.rank == 0 { Self.removeWorkingFiles(folder) }   // a kill may have come just before
                return summary
            }
            try awaitUnits(.buckets, shards.map(\.name), folder: folder, fingerprint: fingerprint)
            let clusters = DedupClusterPass(parts: plan.parts, linkShards: shards, options: options, folder: folder,
                                            fingerprint: fingerprint,
                                            awaitUnits: { try self.awaitUnits(.clusters, $0, folder: folder, fingerprint: fingerprint, poll: true) },
                                            log: log)
            let counts = try clusters.run()
            summary.unitsRun[.clusters, default: 0] += counts.run
            summary.unitsSkipped[.clusters, default: 0] += counts.skipped
            guard options.rank.rank == 0 else { return summary }
            try awaitUnits(.clusters, clusters.dropUnits, folder: folder, fingerprint: fingerprint, poll: true)
            let dropList = dropListIndex(clusters, plan: plan, folder: folder, fingerprint: fingerprint)
            try AtomicFileWriter.write(JSONWriter.string(dropList, pretty: true) + "\n", to: folder.dropListPath)
            Self.removeWorkingFiles(folder)
            summary.dropList = dropList
        }
        return summary
    }

    /// Once `drop-list.json` is written, the components' working files are no longer needed by
    /// anyone (every unit is marked), nor the temporary files of killed ranks' drop files.
    private static func removeWorkingFiles(_ folder: DedupFolder) {
        try? FileManager.default.removeItem(atPath: folder.join("cc"))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.join("drop"))) ?? [] where name.contains(".tmp-") {
            unlink(folder.join("drop", name))
        }
    }

    /// Waits until every unit of `pass` is marked done: polling when this rank runs all passes
    /// (or `poll`: the steps within the clusters pass), a usage error when it was asked for one
    /// pass only (the job steps are out of order).
    private func awaitUnits(_ pass: CorpusDedupPass, _ names: [String], folder: DedupFolder, fingerprint: String, poll: Bool = false) throws {
        var missing = names.filter { folder.marker(pass, $0, fingerprint: fingerprint) == nil }
        guard !missing.isEmpty else { return }
        if options.onlyPass != nil && !poll {
            throw YiError(.usage, "the \(pass.rawValue) pass is unfinished (\(missing.count) of \(names.count) units, first \(missing[0])): run it on every rank first")
        }
        log("waiting for other ranks: \(missing.count) of \(names.count) \(pass.rawValue) units unfinished")
        while !missing.isEmpty {
            Thread.sleep(forTimeInterval: options.pollSeconds)
            missing = missing.filter { folder.marker(pass, $0, fingerprint: fingerprint) == nil }
        }
    }

    /// `drop-list.json`, from the markers: documents from the signatures pass, clusters from the
    /// kept step, dropped documents from the drop step.
    private func dropListIndex(_ clusters: DedupClusterPass, plan: InputPlan, folder: DedupFolder, fingerprint: String) -> JSONValue {
        func marker(_ pass: CorpusDedupPass, _ name: String) -> JSONValue? { folder.marker(pass, name, fingerprint: fingerprint) }
        func counts(_ value: JSONValue?, into table: inout [String: Int]) {
            if case .object(let members)? = value {
                for (name, count) in members { table[name, default: 0] += Int(count.intValue ?? 0) }
            }
        }
        var documentsBySource: [String: Int] = [:], droppedBySource: [String: Int] = [:]
        var documentsByPart: [String: Int] = [:], droppedByPart: [String: Int] = [:]
        var dropped = 0, droppedExact = 0, clusterCount = 0
        for part in plan.parts {
            let signatures = marker(.signatures, part.name)
            counts(signatures?["sources"], into: &documentsBySource)
            documentsByPart[part.name] = Int(signatures?["documents"]?.intValue ?? 0)
        }
        for name in clusters.keptUnits { clusterCount += Int(marker(.clusters, name)?["clusters"]?.intValue ?? 0) }
        for name in clusters.dropUnits {
            let drop = marker(.clusters, name)
            counts(drop?["sources"], into: &droppedBySource)
            counts(drop?["parts"], into: &droppedByPart)
            dropped += Int(drop?["dropped"]?.intValue ?? 0)
            droppedExact += Int(drop?["dropped_exact"]?.intValue ?? 0)
        }
        let sources: [(String, JSONValue)] = documentsBySource.keys.sorted().map { name in
            (name, .object([("documents", .int(Int64(documentsBySource[name]!))),
                            ("dropped", .int(Int64(droppedBySource[name] ?? 0)))]))
        }
        let parts: [JSONValue] = plan.parts.map { part in
            var paths: [String] = []
            for (input, _) in plan.inputs[part.inputs] where paths.last != input.path { paths.append(input.path) }
            return .object([("name", .string(part.name)), ("paths", .array(paths.map { .string($0) })),
                            ("documents", .int(Int64(documentsByPart[part.name] ?? 0))),
                            ("dropped", .int(Int64(droppedByPart[part.name] ?? 0)))])
        }
        return .object([
            ("format", .string(DropList.formatName)),
            ("version", .int(1)),
            ("fingerprint", .string(fingerprint)),
            ("keep", .string("first-in-input-order")),
            ("options", options.resultDefiningJSON),
            ("documents", .int(Int64(documentsByPart.values.reduce(0, +)))),
            ("dropped", .int(Int64(dropped))),
            ("dropped_exact", .int(Int64(droppedExact))),
            ("dropped_near", .int(Int64(dropped - droppedExact))),
            ("clusters", .int(Int64(clusterCount))),
            ("sources", .object(sources)),
            ("inputs", .array(plan.inputs.map { input, _ in
                .array([.string(input.path), .int(input.size)] + (input.range.map { [.int($0.start), .int($0.end)] } ?? []))
            })),
            ("parts", .array(parts)),
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
