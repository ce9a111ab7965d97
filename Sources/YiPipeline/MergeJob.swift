import Foundation
import YiCore
import YiShards

/// `yi-prep merge OUT`: after a distributed run, joins the parts' completion markers into
/// `manifest.json`. Shards stay where the ranks wrote them (no token data is copied); Megatron
/// reads a bucket as a weighted `--data-path` list of its shard prefixes.
public enum MergeJob {
    public struct Result {
        public var manifest: Manifest
        public var parts: Int
    }

    public static func run(outputDirectory: String) throws -> Result {
        let folder = OutputFolder(path: outputDirectory)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.partsPath)) ?? [])
            .filter { $0.hasPrefix("part-") && $0.hasSuffix(".json") }.sorted()
        guard let first = names.first else {
            throw YiError(.outputState, "no finished parts to merge (no \(OutputFolder.partsDirectory)/part-*.json)",
                          context: .init(path: outputDirectory))
        }
        let sample = try Manifest.read(path: (folder.partsPath as NSString).appendingPathComponent(first))
        guard let fingerprint = OutputFolder.fingerprint(of: sample),
              let partCount = ManifestBuilder.extra(sample, "parts")?.intValue else {
            throw YiError(.outputState, "\(first) is not a yi-prep part marker", context: .init(path: folder.partsPath))
        }
        var markers: [Manifest] = []
        var missing: [Int] = []
        for index in 0..<Int(partCount) {
            if let marker = try folder.completedPart(index, fingerprint: fingerprint) {
                markers.append(marker)
            } else {
                missing.append(index)
            }
        }
        guard missing.isEmpty else {
            let list = missing.prefix(10).map { WorkPart.name($0) }.joined(separator: ", ")
            throw YiError(.outputState,
                          "\(missing.count) of \(partCount) parts are not finished (\(list)\(missing.count > 10 ? ", ..." : "")): rerun the ranks that own them (finished parts are skipped), then merge again",
                          context: .init(path: outputDirectory))
        }
        let manifest = ManifestBuilder.runManifest(markers: markers)
        try folder.removeStaleTemporaryFiles()  // merge runs after the ranks: leftovers are dead writers'
        try manifest.write(toDirectory: outputDirectory)
        return Result(manifest: manifest, parts: markers.count)
    }

    /// Megatron-LM `--data-path` arguments for one bucket: `weight prefix` pairs, weights being
    /// each shard's share of the bucket's sequences (so every sequence is equally likely).
    public static func megatronDataPath(manifest: Manifest, bucket: BucketManifest, outputDirectory: String) -> String {
        let total = max(1, bucket.sequences)
        return bucket.shards.map { shard in
            let weight = Double(shard.sequences) / Double(total)
            let prefix = ((outputDirectory as NSString).appendingPathComponent(bucket.directory) as NSString).appendingPathComponent(shard.name)
            return String(format: "%.6f %@", weight, prefix)
        }.joined(separator: " ")
    }
}
