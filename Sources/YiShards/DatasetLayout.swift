import Foundation
import YiCore

/// What a path given to `stats`, `verify` or `inspect` holds: a pack output folder (with or
/// without its manifest), one bucket folder, or a single shard prefix (`DIR/shard-00000`, with or
/// without `.idx`/`.bin`). Foreign Megatron `.bin/.idx` pairs resolve the same way.
public struct DatasetLayout: Sendable {
    public enum Kind: String, Sendable { case packOutput = "pack-output", bucket, shard }

    public var kind: Kind
    public var path: String
    /// The manifest that describes these shards, when one was found (for a bucket folder or a
    /// shard it is looked up in the folder above the bucket).
    public var manifest: Manifest?
    public var manifestPath: String?
    /// A manifest that exists but cannot be read (verify reports it; stats refuses).
    public var manifestError: YiError?
    /// The pack output folder around a bucket or shard that has `.parts/` but no manifest yet:
    /// its shards belong to an unfinished run (verify refuses them).
    public var unfinishedRunDirectory: String?
    public var buckets: [BucketLayout]

    /// The shards of all buckets, in order.
    public var shards: [ShardLayout] { buckets.flatMap(\.shards) }

    public func bucket(sequenceLength: Int) -> BucketLayout? {
        buckets.first { $0.sequenceLength == sequenceLength }
    }
}

public struct BucketLayout: Sendable {
    /// The bucket folder's path.
    public var directory: String
    /// Its name (`len-16384`).
    public var name: String
    public var manifest: BucketManifest?
    /// Bucket length: from the manifest, else the `len-<N>` folder name, else nil (foreign data).
    public var sequenceLength: Int?
    /// Shards with an `.idx` on disk or listed in the manifest, sorted by name.
    public var shards: [ShardLayout]
    /// Shard names with `.bin`/`.docs` but no `.idx`: a shard that was never completed.
    public var incompleteShards: [String]
    /// Leftover temporary files (`*.tmp-<pid>`) of an interrupted writer.
    public var temporaryFiles: [String]
}

public struct ShardLayout: Sendable {
    /// Path without extension: the Megatron `--data-path` prefix.
    public var prefix: String
    public var name: String
    public var bucketName: String
    public var sequenceLength: Int?
    public var manifest: ShardInfo?
    public var idxExists: Bool
    public var binExists: Bool
    public var docsExists: Bool

    public var idxPath: String { prefix + "." + ShardFiles.idxExtension }
    public var binPath: String { prefix + "." + ShardFiles.binExtension }
    public var docsPath: String { prefix + "." + ShardFiles.docsExtension }
    public var maskPath: String { prefix + "." + ShardFiles.maskExtension }
}

extension DatasetLayout {
    /// Resolves `path`. Throws `.usage` when it holds no shards at all.
    public static func resolve(_ path: String) throws -> DatasetLayout {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if fm.fileExists(atPath: trimmed, isDirectory: &isDirectory), isDirectory.boolValue {
            return try resolveDirectory(trimmed)
        }
        var prefix = trimmed
        for ext in [ShardFiles.idxExtension, ShardFiles.binExtension, ShardFiles.docsExtension] where trimmed.hasSuffix("." + ext) {
            prefix = String(trimmed.dropLast(ext.count + 1))
        }
        guard fm.fileExists(atPath: prefix + "." + ShardFiles.idxExtension) || fm.fileExists(atPath: prefix + "." + ShardFiles.binExtension) else {
            throw YiError(.usage, "no dataset here: expected a pack output folder, a bucket folder or a shard prefix (DIR/shard-00000)",
                          context: .init(path: path))
        }
        let url = URL(fileURLWithPath: prefix)
        let bucketDirectory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        var layout = DatasetLayout(kind: .shard, path: path, buckets: [])
        layout.attachManifest(searching: URL(fileURLWithPath: bucketDirectory).deletingLastPathComponent().path)
        var bucket = try scanBucket(bucketDirectory, manifest: layout.bucketManifest(for: bucketDirectory))
        bucket.shards = bucket.shards.filter { $0.name == name }
        if bucket.shards.isEmpty {
            bucket.shards = [shardLayout(directory: bucketDirectory, name: name, bucket: bucket, entry: nil)]
        }
        bucket.incompleteShards = []  // a shard without .idx is reported on the shard itself
        bucket.temporaryFiles = bucket.temporaryFiles.filter { $0.hasPrefix(name + ".") }
        layout.buckets = [bucket]
        return layout
    }

    private static func resolveDirectory(_ directory: String) throws -> DatasetLayout {
        let fm = FileManager.default
        let entries = (try? fm.contentsOfDirectory(atPath: directory))?.sorted() ?? []
        let hasShardFiles = entries.contains { $0.hasSuffix("." + ShardFiles.idxExtension) || $0.hasSuffix("." + ShardFiles.binExtension) }
        if hasShardFiles && !entries.contains(Manifest.fileName) {
            var layout = DatasetLayout(kind: .bucket, path: directory, buckets: [])
            layout.attachManifest(searching: URL(fileURLWithPath: directory).deletingLastPathComponent().path)
            layout.buckets = [try scanBucket(directory, manifest: layout.bucketManifest(for: directory))]
            return layout
        }
        var layout = DatasetLayout(kind: .packOutput, path: directory, buckets: [])
        layout.attachManifest(searching: directory)
        var names = layout.manifest?.buckets.map(\.directory) ?? []
        for entry in entries where !names.contains(entry) {
            var sub: ObjCBool = false
            let full = joinPath(directory, entry)
            guard fm.fileExists(atPath: full, isDirectory: &sub), sub.boolValue else { continue }
            let inner = (try? fm.contentsOfDirectory(atPath: full)) ?? []
            if entry.hasPrefix("len-") || inner.contains(where: { $0.hasSuffix("." + ShardFiles.idxExtension) }) {
                names.append(entry)
            }
        }
        if names.isEmpty && layout.manifest == nil {
            throw YiError(.usage, "no dataset here: no manifest.json, no bucket folders and no .idx files", context: .init(path: directory))
        }
        layout.buckets = try names.map { name in
            let bucketPath = joinPath(directory, name)
            return try scanBucket(bucketPath, manifest: layout.manifest?.bucket(directory: name))
        }
        return layout
    }

    /// Reads `DIR/manifest.json` if it exists; a damaged one is kept as `manifestError`.
    private mutating func attachManifest(searching directory: String) {
        let candidate = joinPath(directory, Manifest.fileName)
        guard FileManager.default.fileExists(atPath: candidate) else {
            // `.parts/` holds pack's completion markers (YiPipeline's OutputFolder).
            if FileManager.default.fileExists(atPath: joinPath(directory, ".parts")) { unfinishedRunDirectory = directory }
            return
        }
        manifestPath = candidate
        do {
            manifest = try Manifest.read(path: candidate)
        } catch let error as YiError {
            manifestError = error
        } catch {
            manifestError = YiError(.input, "cannot read manifest", context: .init(path: candidate), cause: "\(error)")
        }
    }

    /// The manifest's entry for a bucket folder that sits directly under the manifest's folder.
    private func bucketManifest(for bucketDirectory: String) -> BucketManifest? {
        guard let manifest, let manifestPath else { return nil }
        let bucketURL = URL(fileURLWithPath: bucketDirectory).standardizedFileURL
        let root = URL(fileURLWithPath: manifestPath).deletingLastPathComponent().standardizedFileURL
        return manifest.buckets.first { root.appendingPathComponent($0.directory).standardizedFileURL.path == bucketURL.path }
    }

    static func scanBucket(_ directory: String, manifest: BucketManifest?) throws -> BucketLayout {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.sorted() ?? []
        let name = URL(fileURLWithPath: directory).lastPathComponent
        var length = manifest?.sequenceLength
        if length == nil, name.hasPrefix("len-") { length = Int(name.dropFirst(4)) }
        var bucket = BucketLayout(directory: directory, name: name, manifest: manifest, sequenceLength: length,
                                  shards: [], incompleteShards: [], temporaryFiles: [])
        var indexed = Set<String>()
        var partial = Set<String>()
        for entry in entries {
            if entry.contains(".tmp-") { bucket.temporaryFiles.append(entry); continue }
            for ext in [ShardFiles.idxExtension, ShardFiles.binExtension, ShardFiles.docsExtension] where entry.hasSuffix("." + ext) {
                let stem = String(entry.dropLast(ext.count + 1))
                if ext == ShardFiles.idxExtension { indexed.insert(stem) } else { partial.insert(stem) }
            }
        }
        var names = indexed
        for entry in manifest?.shards ?? [] { names.insert(entry.name) }
        bucket.shards = names.sorted().map { shardName in
            shardLayout(directory: directory, name: shardName, bucket: bucket,
                        entry: manifest?.shards.first { $0.name == shardName })
        }
        let listed = Set(manifest?.shards.map(\.name) ?? [])
        bucket.incompleteShards = partial.subtracting(indexed).subtracting(listed).sorted()
        return bucket
    }

    private static func shardLayout(directory: String, name: String, bucket: BucketLayout, entry: ShardInfo?) -> ShardLayout {
        let fm = FileManager.default
        let prefix = joinPath(directory, name)
        return ShardLayout(prefix: prefix, name: name, bucketName: bucket.name, sequenceLength: bucket.sequenceLength,
                           manifest: entry,
                           idxExists: fm.fileExists(atPath: prefix + "." + ShardFiles.idxExtension),
                           binExists: fm.fileExists(atPath: prefix + "." + ShardFiles.binExtension),
                           docsExists: fm.fileExists(atPath: prefix + "." + ShardFiles.docsExtension))
    }
}
