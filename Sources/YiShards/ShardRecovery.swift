import Foundation
import YiCore

/// What `--resume` needs from a bucket folder a killed run left behind: the complete shards
/// (those with an `.idx`) described as the writer would have described them, and the removal of
/// the incomplete rest. The pipeline then continues with `firstShardIndex` = the count.
public enum ShardRecovery {
    /// Complete shards named `<prefix>-NNNNN` in name order, digests and counts recomputed from
    /// the files. Throws `.corruptInput` when a complete shard is not sound (run `yi-prep verify`).
    public static func completedShards(in directory: String, prefix: String = "shard") throws -> [ShardInfo] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix(prefix + "-") && $0.hasSuffix("." + ShardFiles.idxExtension) && !$0.contains(".tmp-") }
            .map { String($0.dropLast(ShardFiles.idxExtension.count + 1)) }
            .sorted()
        return try names.map { try describe(prefix: joinPath(directory, $0)) }
    }

    /// Removes `*.tmp-*` files and `.bin`/`.docs` files without an `.idx`; returns the names removed.
    @discardableResult
    public static func removeIncompleteShards(in directory: String) throws -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let indexed = Set(entries.filter { $0.hasSuffix("." + ShardFiles.idxExtension) && !$0.contains(".tmp-") }
            .map { String($0.dropLast(ShardFiles.idxExtension.count + 1)) })
        var removed: [String] = []
        for entry in entries.sorted() {
            var orphan = entry.contains(".tmp-")
            for ext in [ShardFiles.binExtension, ShardFiles.docsExtension] where entry.hasSuffix("." + ext) {
                orphan = orphan || !indexed.contains(String(entry.dropLast(ext.count + 1)))
            }
            guard orphan else { continue }
            do {
                try FileManager.default.removeItem(atPath: joinPath(directory, entry))
            } catch {
                throw YiError(.io, "cannot remove an incomplete shard file", context: .init(path: joinPath(directory, entry)), cause: "\(error)")
            }
            removed.append(entry)
        }
        return removed
    }

    /// A complete shard's `ShardInfo`, from its files.
    public static func describe(prefix: String) throws -> ShardInfo {
        let index = try MegatronIndexFile(path: prefix + "." + ShardFiles.idxExtension)
        let sidecar = try BoundarySidecarFile(path: prefix + "." + ShardFiles.docsExtension)
        let bin = try ReadOnlyFile(path: prefix + "." + ShardFiles.binExtension)
        let count = index.header.sequenceCount
        let tokens = count * sidecar.sequenceLength
        guard sidecar.sequenceCount == count, bin.size == Int64(tokens * index.header.dtype.byteWidth) else {
            throw YiError(.corruptInput, "shard files disagree (index \(count) sequences, sidecar \(sidecar.sequenceCount), .bin \(bin.size) bytes): run yi-prep verify",
                          context: .init(path: prefix))
        }
        var spans = 0, ends = 0, splits = 0, documentTokens = 0
        try sidecar.forEachSequence { _, records in
            for record in records {
                spans += 1
                documentTokens += Int(record.length)
                if record.isDocumentEnd { ends += 1 } else if record.part == 0 { splits += 1 }
            }
        }
        let name = String(prefix.split(separator: "/").last ?? Substring(prefix))
        return ShardInfo(name: name, sequences: count, tokens: tokens, padTokens: tokens - documentTokens, spans: spans,
                         documentEnds: ends, splitDocuments: splits,
                         bin: FileDigest(bytes: bin.size, sha256: try bin.sha256()),
                         idx: FileDigest(bytes: index.file.size, sha256: try index.file.sha256()),
                         docs: FileDigest(bytes: sidecar.file.size, sha256: try sidecar.file.sha256()))
    }
}
